// Several statements in one round trip, prepared once per connection.
//
// node-postgres sends one statement at a time and waits for its answer. The gate's hot
// path needs a few statements together (BEGIN, the tenant setting, the tenant step's
// read; or the events and COMMIT), so `runPipeline` sends them as one extended-protocol
// pipeline: Parse (only the first time a named statement meets a connection), Bind,
// Describe and Execute for each, then a single Sync, in one write. PostgreSQL runs them
// in order and answers once; after an error it skips the rest up to the Sync, exactly
// as a multi-statement simple query would, and the caller's ROLLBACK ends the
// transaction. Every value travels as a parameter: nothing is quoted into SQL text.
//
// A named statement is planned by PostgreSQL once per connection (a generic plan after
// five executions), where the simple protocol parsed and planned every statement on
// every call. It is built on node-postgres' own extension point for custom queries
// (a "submittable", as pg-cursor is) and its own value serialization.
import pg from "pg";
import pgUtils from "pg/lib/utils.js";

export type TSqlValue = string | number | bigint | boolean | null | readonly (string | null)[];

/**
 * One statement and its parameters ($1, $2, …). With a `name`, it is prepared once per
 * connection and reused; the same name must always carry the same text.
 */
export type TSql = { text: string; values?: readonly TSqlValue[]; name?: string };

/** The parts of node-postgres' connection a pipeline writes to (pg/lib/connection.js). */
type TConnection = {
  parsedStatements: Record<string, string | undefined>;
  stream: { cork?: () => void; uncork?: () => void };
  parse(config: { text: string; name: string; types: number[] }): void;
  bind(config: { statement: string; values: readonly unknown[] }): void;
  describe(config: { type: "P"; name: string }): void;
  execute(config: Record<string, never>): void;
  sync(): void;
  on(event: "parseComplete", listener: () => void): void;
  removeListener(event: "parseComplete", listener: () => void): void;
};

const prepareValue = (pgUtils as { prepareValue: (value: unknown) => unknown }).prepareValue;

type TCallback = (error: Error | null, results?: pg.QueryResult | pg.QueryResult[]) => void;

/** node-postgres' Query as a base class: it collects each statement's result and answers the callback. */
interface TQueryBase {
  handleError(error: Error, connection: unknown): void;
  handleReadyForQuery(connection: unknown): void;
}
const QueryBase = pg.Query as unknown as new (config: { text: string; callback: TCallback }) => TQueryBase;

class PipelinedQuery extends QueryBase {
  private readonly statements: readonly TSql[];
  private connection: TConnection | null = null;
  private readonly parsing: TSql[] = [];

  constructor(statements: readonly TSql[], callback: TCallback) {
    super({ text: "", callback });
    this.statements = statements;
  }

  // A named statement counts as prepared once PostgreSQL confirmed its Parse; one the
  // server skipped after an error is parsed again next time.
  private readonly onParsed = () => {
    const parsed = this.parsing.shift();
    if (parsed?.name && this.connection) this.connection.parsedStatements[parsed.name] = parsed.text;
  };

  private done(): void {
    this.connection?.removeListener("parseComplete", this.onParsed);
    this.connection = null;
  }

  submit(connection: unknown): Error | null {
    const con = connection as unknown as TConnection;
    // Everything that can fail is checked before the first byte is written: a pipeline
    // half sent, with no Sync, would leave the connection waiting forever.
    const texts = new Map<string, string>();
    const values: unknown[][] = [];
    try {
      for (const statement of this.statements) {
        const known = statement.name ? (texts.get(statement.name) ?? con.parsedStatements[statement.name]) : undefined;
        if (known !== undefined && known !== statement.text)
          return new Error(`The prepared statement "${statement.name}" was used for another text.`);
        if (statement.name) texts.set(statement.name, statement.text);
        values.push((statement.values ?? []).map((value) => prepareValue(value)));
      }
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    this.connection = con;
    con.on("parseComplete", this.onParsed);
    con.stream.cork?.();
    try {
      const parsedHere = new Set<string>();
      this.statements.forEach((statement, index) => {
        const name = statement.name ?? "";
        if (name === "" || (con.parsedStatements[name] === undefined && !parsedHere.has(name))) {
          con.parse({ text: statement.text, name, types: [] });
          this.parsing.push(statement);
          if (name) parsedHere.add(name);
        }
        con.bind({ statement: name, values: values[index] ?? [] });
        con.describe({ type: "P", name: "" });
        con.execute({});
      });
      con.sync();
    } finally {
      con.stream.uncork?.();
    }
    return null;
  }

  override handleError(error: Error, connection: unknown): void {
    this.done();
    super.handleError(error, connection);
  }

  override handleReadyForQuery(connection: unknown): void {
    this.done();
    super.handleReadyForQuery(connection);
  }
}

/**
 * Run these statements in one round trip on this connection; one result per statement,
 * in order. The first error rejects, and the statements after it did not run.
 */
export function runPipeline(client: pg.ClientBase, statements: readonly TSql[]): Promise<pg.QueryResult[]> {
  if (statements.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const query = new PipelinedQuery(statements, (error, results) => {
      if (error) reject(error);
      else resolve(Array.isArray(results) ? results : results ? [results] : []);
    });
    client.query(query as unknown as pg.Submittable);
  });
}
