// @ts-check

/** Single-quoted SQL literal. @param {unknown} value */
export const sqlText = (value) => `'${String(value).replaceAll("'", "''")}'`
