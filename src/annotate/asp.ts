/** The ASP number column of results workbooks (annotate/plan.ts), where solde --from reads it back. */
export { ASP_NUMBER_HEADER } from './plan.js';
