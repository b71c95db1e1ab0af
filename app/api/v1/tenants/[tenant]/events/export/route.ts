// GET /api/v1/tenants/:tenant/events/export?from=&to=&runIds=a,b&classes=x,y
// Streams the tenant's events as signed NDJSON (server/events/export.ts).
// Admins only; the same membership check as the tRPC procedures.
import { TRPCError } from "@trpc/server";
import { APP_ERROR_CODES, AppError } from "@/server/errors";
import { exportLines, prepareExport, type TPreparedExport, ZExportFilters } from "@/server/events/export";
import { logger } from "@/server/logger";
import { serverCaller } from "@/server/trpc/server";

export const dynamic = "force-dynamic";

const STATUS: Partial<Record<TRPCError["code"], number>> = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_REQUEST: 400 };

function list(value: string | null): string[] | undefined {
  const items = value
    ?.split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}

export async function GET(request: Request, { params }: { params: Promise<{ tenant: string }> }): Promise<Response> {
  const { tenant: tenantSlug } = await params;
  const query = new URL(request.url).searchParams;
  const parsed = ZExportFilters.safeParse({
    from: query.get("from") ?? undefined,
    to: query.get("to") ?? undefined,
    runIds: list(query.get("runIds")),
    classes: list(query.get("classes")),
  });
  if (!parsed.success)
    return Response.json(
      { error: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ") },
      { status: 400 },
    );

  let tenant: { id: string; slug: string };
  try {
    const caller = await serverCaller();
    tenant = await caller.tenant.get({ tenantSlug });
    await caller.trace.exportCount({ tenantSlug, ...parsed.data });
  } catch (error) {
    if (error instanceof TRPCError) return Response.json({ error: error.message }, { status: STATUS[error.code] ?? 500 });
    throw error;
  }

  // Verified before the response starts: a chain that does not verify is refused
  // with its code and the first bad event, never signed and never a broken download.
  let prepared: TPreparedExport;
  try {
    prepared = await prepareExport(tenant.id);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    logger.warn({ tenantId: tenant.id, code: error.code, reason: error.message }, "export refused");
    return Response.json({ error: error.message, code: error.code }, { status: APP_ERROR_CODES[error.code] });
  }

  const lines = exportLines(tenant, parsed.data, prepared);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        logger.error({ err: error, tenantId: tenant.id }, "export failed");
        controller.error(new Error("export failed"));
      }
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(body, {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="${tenant.slug}-events-${stamp}.ndjson"`,
      "cache-control": "no-store",
    },
  });
}
