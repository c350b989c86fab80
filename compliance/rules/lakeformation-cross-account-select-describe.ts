import { homeAccountsOf, principalAccount } from "../policy-helpers";
import { Rule } from "../rule";

/** The only permissions a table may be granted with to another account. */
const ALLOWED = new Set(["SELECT", "DESCRIBE"]);

/** The resource blocks a cross-account grant may name: a table, or a data cells filter of one. */
const RESOURCE_BLOCKS = ["table", "data_cells_filter"];
const OTHER_BLOCKS = ["catalog_resource", "data_location", "database", "lf_tag", "lf_tag_policy", "table_with_columns"];

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const present = (v: unknown) => v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);

/** A Lake Formation grant to another account holds only SELECT and DESCRIBE, on a table or a filter. */
export const LakeformationCrossAccountSelectDescribeOnly: Rule = {
  id: "LAKEFORMATION_CROSS_ACCOUNT_SELECT_DESCRIBE_ONLY",
  severity: "high",
  info: "A Lake Formation grant to another account holds only SELECT and DESCRIBE (with the grant option), on a table or a data cells filter.",
  explanation:
    "A cross-account grant is passed on by the other account's administrators as they choose: ALTER, DROP, INSERT, " +
    "DELETE or ALL would let them change or destroy the provider's table, a data location grant would open its S3 " +
    "location, and a grant on a database or the catalog would reach every table in it, including those no one shared. " +
    "A principal whose account only a plan can tell counts as another account.",
  check(e) {
    if (e.kind !== "resource" || e.type !== "aws_lakeformation_permissions") return "not-applicable";
    const principal = typeof e.config.principal === "string" ? e.config.principal : "";
    const account = principalAccount(principal);
    if (account === "home" || homeAccountsOf(e).includes(account)) return "not-applicable";
    const permissions = [...list(e.config.permissions), ...list(e.config.permissions_with_grant_option)];
    if (!permissions.length || !permissions.every((p) => typeof p === "string" && ALLOWED.has(p))) return "non-compliant";
    const on = RESOURCE_BLOCKS.filter((b) => present(e.config[b]));
    if (on.length !== 1 || OTHER_BLOCKS.some((b) => present(e.config[b]))) return "non-compliant";
    return "compliant";
  },
};
