/** The page has no installed package: the mappings are bundled (mapping/files.browser.ts) under these names. */
export const packageRoot = '/';
export const mappingsDir = '/mappings';
export const templatesDir = '/templates';
