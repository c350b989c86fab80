/**
 * Shared tables in the review. Lake Formation is not IAM, so the review lists the table
 * grants as it lists RAM shares: per table, each account and role with its columns and row
 * filter; the IAM side of each role's grant evaluated with iam-simulate (the role may call
 * `lakeformation:GetDataAccess` and read the table's metadata); findings for a cross-account
 * grant wider than SELECT/DESCRIBE or to an account outside the organization; and, between
 * base and head, who can now (or no longer) read which columns of which table.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { Collection } from "./collect";
import { CollectedTableGrant } from "./collect/lakeformation";
import { AccessEvaluator, Decision, OrganizationContext } from "./evaluate";
import { Review, ReviewFinding } from "./model";

/** One principal's SELECT on one shared table. */
export interface TableAccessEntry {
  /** The table as the topology names it (the consumer's `tables` output), else `<database>.<table>`. */
  readonly table: string;
  /** The provider's `<database>.<table>` and its stack. */
  readonly source: string;
  readonly owner: string;
  /** `<stack>/<role>`, or `account <stack>` for the grant to a consumer account. */
  readonly principal: string;
  /** The role ARN, or the account id. */
  readonly arn: string;
  /** The data cells filter the grant is on; absent for the whole table. */
  readonly filter?: string;
  /** `every column`, `only a, b` or `no a, b`. */
  readonly columns: string;
  /** The row filter, or `every row`. */
  readonly rows: string;
  /** Whether the account may pass the grant on (the grant option). */
  readonly grantable: boolean;
  /** The IAM side, for roles: GetDataAccess and glue:GetTable of the table through its link. */
  readonly iam?: { readonly getDataAccess: Decision; readonly readMetadata: Decision };
}

/** What the review adds for tables: the entries and the findings. */
export interface TableReview {
  readonly entries: TableAccessEntry[];
  readonly findings: ReviewFinding[];
}

const CROSS_ACCOUNT_PERMISSIONS = new Set(["SELECT", "DESCRIBE"]);

function accountOfPrincipal(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:[^:]+:iam::(\d{12}):/.exec(principal)?.[1];
}

/** `lakeformation:GetDataAccess` has no resource type: IAM decides it on `*`, which the evaluator leaves to the simulator itself. */
async function getDataAccess(ev: AccessEvaluator, roleArn: string, accountId: string, orgId: string): Promise<Decision> {
  const identity = ev.identityPoliciesOf(roleArn).policies.map((p) => ({ name: p.name, policy: p.document }));
  const result = await runSimulation(
    {
      request: {
        principal: roleArn,
        action: "lakeformation:GetDataAccess",
        resource: { resource: "*", accountId },
        contextVariables: { "aws:PrincipalArn": roleArn, "aws:PrincipalAccount": accountId, "aws:PrincipalOrgID": orgId, "aws:SecureTransport": "true" },
      },
      identityPolicies: identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") throw new Error(`the simulator refused GetDataAccess of ${roleArn}: ${JSON.stringify(result.errors)}`);
  const results = result.resultType === "single" ? [result.result] : result.results;
  return results[0].analysis.result as Decision;
}

/** The table as the consumer's roles reach it: through the resource link in their own account. */
function linkTableArn(g: CollectedTableGrant, collection: Collection, link: string, table: string): string {
  const partition = g.principal.split(":")[1];
  const region = collection.stacks.find((s) => s.name === g.stack)?.region ?? "";
  return `arn:${partition}:glue:${region}:${g.accountId}:table/${link}/${table}`;
}

/** A stack output per table entry: the consumer's `tables` (provider, link, table, roles) or the provider's `table_shares` (database, table, consumers, filter). */
function outputsOf(collection: Collection, output: "tables" | "table_shares"): { stack: string; name: string; value: Record<string, unknown> }[] {
  return collection.stacks.flatMap((s) => {
    const tables = (s as { outputs?: Record<string, unknown> }).outputs?.[output];
    if (!tables || typeof tables !== "object") return [];
    return Object.entries(tables as Record<string, Record<string, unknown>>).map(([name, value]) => ({ stack: s.name, name, value }));
  });
}

/** Table access and findings of a collection. */
export async function reviewTables(ev: AccessEvaluator, collection: Collection, organization: OrganizationContext): Promise<TableReview> {
  const stackOf = new Map(collection.stacks.map((s) => [s.accountId, s.name]));
  const outputs = outputsOf(collection, "tables");
  const shares = outputsOf(collection, "table_shares");
  const entries: TableAccessEntry[] = [];
  const findings: ReviewFinding[] = [];
  for (const g of collection.tableGrants) {
    const principalAccount = accountOfPrincipal(g.principal);
    const address = `${g.stack}/${g.address}`;
    if (principalAccount && principalAccount !== g.accountId) {
      const wide = [...g.permissions, ...g.grantable].filter((p) => !CROSS_ACCOUNT_PERMISSIONS.has(p));
      if (wide.length || (g.on.kind !== "table" && g.on.kind !== "filter")) {
        findings.push({
          id: `access:LAKEFORMATION_GRANT_TOO_WIDE:${address}`,
          source: "access",
          severity: "high",
          rule: "LAKEFORMATION_GRANT_TOO_WIDE",
          resource: address,
          what: `grants account ${principalAccount} ${[...new Set([...g.permissions, ...g.grantable])].join(", ")} on ${g.on.kind === "other" ? g.on.blocks.join(", ") : g.on.kind}`,
          why: "a cross-account Lake Formation grant holds only SELECT and DESCRIBE on a table or a filter; anything wider lets the other account's administrators change the table or reach tables no one shared",
        });
      }
      if (!organization.accountIds.includes(principalAccount)) {
        findings.push({
          id: `access:LAKEFORMATION_GRANT_OUTSIDE_ORGANIZATION:${address}`,
          source: "access",
          severity: "high",
          rule: "LAKEFORMATION_GRANT_OUTSIDE_ORGANIZATION",
          resource: address,
          what: `grants a table to account ${principalAccount}, which is not an account of the organization's stacks`,
          why: "Lake Formation's cross-account grants are outside the data perimeter's S3 and KMS policies: a grant is the only thing that keeps a table inside the organization",
        });
      }
    }
    if (g.on.kind !== "table" && g.on.kind !== "filter") continue;
    if (!g.permissions.includes("SELECT")) continue;
    const t = g.on.kind === "filter" ? { catalogId: g.on.filter.catalogId, database: g.on.filter.database, table: g.on.filter.table } : g.on;
    const f = g.on.kind === "filter" ? g.on.filter : undefined;
    const isRole = /:role\//.test(g.principal);
    const out = isRole
      ? outputs.find((o) => o.stack === g.stack && o.value.table === t.table && Array.isArray(o.value.roles) && o.value.roles.includes(g.principal) && stackOf.get(t.catalogId) === o.value.provider)
      : shares.find((o) => o.stack === g.stack && o.value.database === t.database && o.value.table === t.table && o.value.filter === f?.name);
    const columns = !f ? "every column" : f.columns ? `only ${f.columns.join(", ")}` : f.excludedColumns?.length ? `no ${f.excludedColumns.join(", ")}` : "every column";
    const link = isRole && typeof out?.value.database === "string" ? out.value.database : undefined;
    const iam =
      isRole && link
        ? {
            getDataAccess: await getDataAccess(ev, g.principal, g.accountId, organization.id),
            readMetadata: (
              await ev.evaluate({ principalArn: g.principal, action: "glue:GetTable", resourceArn: linkTableArn(g, collection, link, t.table), resourceAccountId: g.accountId, step: "other" })
            ).decision,
          }
        : undefined;
    entries.push({
      table: out?.name ?? `${t.database}.${t.table}`,
      source: `${t.database}.${t.table}`,
      owner: stackOf.get(t.catalogId) ?? t.catalogId,
      principal: isRole ? `${g.stack}/${g.principal.split("/").pop()}` : `account ${stackOf.get(g.principal) ?? g.principal}`,
      arn: g.principal,
      ...(f ? { filter: f.name } : {}),
      columns,
      rows: f?.rowFilter ?? "every row",
      grantable: g.grantable.includes("SELECT"),
      ...(iam ? { iam } : {}),
    });
  }
  entries.sort((a, b) => a.table.localeCompare(b.table) || a.principal.localeCompare(b.principal));
  return { entries, findings };
}

/** The phrase of what an entry reads: "customers-safe (no email, phone; country = 'DE')". */
export function tableReadPhrase(e: TableAccessEntry): string {
  return `${e.table} (${e.columns}; ${e.rows})`;
}

/** Who can now, or no longer, read which columns of which table, from `base` to `head`. */
export function tableAccessChanges(base: Review, head: Review): string[] {
  const key = (e: TableAccessEntry) => `${e.principal}\u0000${tableReadPhrase(e)}`;
  const before = new Map((base.tables ?? []).map((e) => [key(e), e]));
  const after = new Map((head.tables ?? []).map((e) => [key(e), e]));
  return [
    ...[...after].filter(([k]) => !before.has(k)).map(([, e]) => `${e.principal} can now read ${tableReadPhrase(e)}`),
    ...[...before].filter(([k]) => !after.has(k)).map(([, e]) => `${e.principal} can no longer read ${tableReadPhrase(e)}`),
  ];
}

/** The review's table section, in Markdown. */
export function tablesSection(entries: readonly TableAccessEntry[]): string[] {
  if (!entries.length) return [];
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const iam = (e: TableAccessEntry) => (e.iam ? `GetDataAccess ${e.iam.getDataAccess === "Allowed" ? "✅" : "❌"}, GetTable ${e.iam.readMetadata === "Allowed" ? "✅" : "❌"}` : e.grantable ? "account (grantable)" : "account");
  return [
    `<details><summary>Tables (Lake Formation, ${entries.length} grants)</summary>`,
    "",
    "| table | owner | principal | columns | rows | IAM side |",
    "|---|---|---|---|---|---|",
    ...entries.map((e) => `| ${cell(e.table)} (${cell(e.source)}) | ${e.owner} | ${cell(e.principal)} | ${cell(e.columns)} | \`${cell(e.rows)}\` | ${iam(e)} |`),
    "",
    "</details>",
    "",
  ];
}
