// node-postgres' value serialization (pg/lib/utils.js), used by ./pipeline.ts; the
// package ships no declarations for it.
declare module "pg/lib/utils.js" {
  const utils: { prepareValue(value: unknown): unknown };
  export default utils;
}
