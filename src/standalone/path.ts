/** node:path in the page: pathe's POSIX paths (the page has no other), with `path.posix` as Node has it. */
import * as pathe from 'pathe';

const path = { ...pathe, posix: pathe };
export default path;
