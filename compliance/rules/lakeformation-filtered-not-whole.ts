import { Element, Rule } from "../rule";

type Block = Record<string, unknown>;
const block = (v: unknown): Block | undefined => {
  const b = Array.isArray(v) ? v[0] : v;
  return b && typeof b === "object" ? (b as Block) : undefined;
};

/** The table a grant is on, as catalog/database/table: the table itself, or the table of its data cells filter. */
function tableOf(config: Readonly<Record<string, unknown>>): { key: string; filtered: boolean } | undefined {
  const t = block(config.table);
  if (t && t.name !== undefined) return { key: `${t.catalog_id ?? ""}/${t.database_name}/${t.name}`, filtered: false };
  const f = block(config.data_cells_filter);
  if (f) return { key: `${f.table_catalog_id ?? ""}/${f.database_name}/${f.table_name}`, filtered: true };
  return undefined;
}

function grantsOf(e: Element): Readonly<Record<string, unknown>>[] {
  return Object.values(e.stackJson.resource?.aws_lakeformation_permissions ?? {});
}

/** A principal granted a table through a data cells filter is not also granted the table whole. */
export const LakeformationFilteredNotWhole: Rule = {
  id: "LAKEFORMATION_FILTERED_NOT_WHOLE",
  severity: "high",
  info: "A principal granted a table through a data cells filter is not also granted SELECT on the whole table.",
  explanation:
    "Lake Formation grants a principal the union of its grants: a whole-table grant beside a filtered one returns " +
    "the columns and rows the filter withholds (an e-mail column, another country's customers), so the filter " +
    "protects nothing for that principal.",
  check(e) {
    if (e.kind !== "resource" || e.type !== "aws_lakeformation_permissions") return "not-applicable";
    const mine = tableOf(e.config);
    if (!mine) return "not-applicable";
    const others = grantsOf(e).filter((g) => g !== e.config && g.principal === e.config.principal && tableOf(g)?.key === mine.key);
    const whole = (g: Readonly<Record<string, unknown>>) => !tableOf(g)!.filtered && [g.permissions].flat().includes("SELECT");
    if (mine.filtered) return others.some(whole) ? "non-compliant" : "compliant";
    if (!whole(e.config)) return "compliant";
    return others.some((g) => tableOf(g)!.filtered) ? "non-compliant" : "compliant";
  },
};
