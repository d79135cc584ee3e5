import { z } from 'zod';

// zod compiles its parsers with `new Function` when it may; the page's Content-Security-Policy forbids it
// (and would report the attempt): parsers are interpreted instead. Imported first by the worker.
z.config({ jitless: true });
