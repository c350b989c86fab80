/**
 * Rules of `tables` (Glue Data Catalog tables shared through Lake Formation) and of the
 * tables SageMaker users list. Every error names its path, the value and the rule.
 */
import { show } from "../errors";
import { Format } from "../formats";
import * as naming from "../naming";
import { AccountView, addConsumerRoles, arr, Checker, Json, obj, pendingError, str, usable } from "./common";

/** A Glue database or table name, as Athena and Lake Formation accept it everywhere. */
export const GLUE_NAME: Format = {
  pattern: /^[a-z0-9_]{1,255}$/,
  rule: "a Glue name: 1-255 characters of lower case letters, digits and _",
};

/** A column name: Glue takes any single-line string of 1-255 characters. */
export const COLUMN_NAME: Format = {
  // eslint-disable-next-line no-control-regex
  pattern: /^[^\u0000-\u001f]{1,255}$/,
  rule: "a column name: 1-255 characters on one line",
};

/** The longest Glue database name, which a resource link's name must also respect. */
const GLUE_NAME_MAX = 255;

/** A table's owner, and the consumer accounts (all, and those whose roles include sagemaker). */
interface TableGrantView {
  readonly owner: string;
  readonly all: Set<string>;
  readonly sagemaker: Set<string>;
}

/** Checks `tables` and the users' `tables`; returns nothing, every problem goes to the checker. */
export function checkTables(c: Checker, t: Json, acc: AccountView): void {
  const grants = checkTableEntries(c, t, acc);
  checkSameSourceTable(c, t);
  checkUserTables(c, t, acc, grants);
}

function checkTableEntries(c: Checker, t: Json, acc: AccountView): Map<string, TableGrantView> {
  const out = new Map<string, TableGrantView>();
  const tables = arr(t.tables);
  const project = str(t.project);
  c.unique(tables, "tables", "name", "table name");
  tables.forEach((raw, i) => {
    const d = obj(raw) ?? {};
    const path = `tables[${i}]`;
    const owner = str(d.account);
    const ownerOk = usable(c, acc, `${path}.account`, owner, "provide a table") && !pendingError(c, acc, `${path}.account`, owner!);
    checkColumns(c, d.columns, `${path}.columns`);
    if (d.rowFilter !== undefined && typeof d.rowFilter === "string" && !d.rowFilter.trim()) {
      c.add(`${path}.rowFilter`, `is empty (value: ${show(d.rowFilter)}); give a PartiQL row filter expression such as "country = 'DE'", or leave rowFilter out to share every row`);
    }
    const database = str(d.database);
    const ownerId = owner ? acc.id.get(owner) : undefined;
    if (ownerOk && project && ownerId && database && GLUE_NAME.pattern.test(database)) {
      const link = naming.tableLinkName(project, ownerId, database);
      if (link.length > GLUE_NAME_MAX) {
        c.add(`${path}.database`, `the consumers' resource link to it, ${show(link)}, would be ${link.length} characters, over Glue's limit of ${GLUE_NAME_MAX}; the database name may be at most ${GLUE_NAME_MAX - (link.length - database.length)} characters with this project prefix`);
      }
    }
    const entry: TableGrantView = { owner: owner ?? "", all: new Set(), sagemaker: new Set() };
    arr(d.consumers).forEach((cr, j) => {
      const cons = obj(cr) ?? {};
      const cp = `${path}.consumers[${j}].account`;
      const key = str(cons.account);
      if (!usable(c, acc, cp, key, "read a shared table") || pendingError(c, acc, cp, key!)) return;
      if (ownerOk && key === owner) {
        c.add(cp, `a table's consumer is never its own account (${show(key)} provides table ${show(d.name)}); Lake Formation grants in its own account are the lake owners' to make`);
        return;
      }
      if (entry.all.has(key!)) {
        c.add(cp, `account ${show(key)} is already a consumer of table ${show(d.name)}; list each consumer account once (roles may name several roles)`);
        return;
      }
      if (ownerOk && acc.region.get(key!) && acc.region.get(owner!) && acc.region.get(key!) !== acc.region.get(owner!)) {
        c.add(cp, `account ${show(key)} is in region ${show(acc.region.get(key!))} and table ${show(d.name)} in ${show(acc.region.get(owner!))}; mlshare shares tables within one region (the resource link and the grants live in the provider's region)`);
        return;
      }
      addConsumerRoles(c, entry, key!, cons.roles, `${path}.consumers[${j}]`);
    });
    const name = str(d.name);
    if (name && !out.has(name)) out.set(name, entry);
  });
  return out;
}

/** `columns`: exactly one of include / exclude, a non-empty list of unique names. */
function checkColumns(c: Checker, raw: unknown, path: string): void {
  const cols = obj(raw);
  if (!cols) return; // absent (every column), or not an object: the shape check says so
  const given = (["include", "exclude"] as const).filter((k) => cols[k] !== undefined);
  if (given.length === 2) {
    c.add(path, "gives both include and exclude; give exactly one: include (the only columns shared) or exclude (the columns withheld)");
  } else if (given.length === 0) {
    c.add(path, "gives neither include nor exclude; give exactly one, or leave columns out to share every column");
  }
  for (const k of given) {
    if (!Array.isArray(cols[k])) continue;
    const list = cols[k] as unknown[];
    if (!list.length) c.add(`${path}.${k}`, `is empty; list at least one column${k === "exclude" ? ", or leave columns out to share every column" : ""}`);
    const seen = new Map<string, number>();
    list.forEach((col, i) => {
      if (typeof col !== "string") return;
      // The shape check refuses "", not "  ", which Glue would refuse at apply.
      if (col.length > 0 && !col.trim()) {
        c.add(`${path}.${k}[${i}]`, `is blank (value: ${show(col)}); a column name holds at least one character that is not a space`);
        return;
      }
      // Glue keeps column names in lower case, so Email and email are one column.
      const first = seen.get(col.toLowerCase());
      if (first !== undefined) c.add(`${path}.${k}[${i}]`, `duplicate column ${show(col)}; already listed at ${path}.${k}[${first}] (Glue column names ignore case)`);
      else seen.set(col.toLowerCase(), i);
    });
  }
}

/**
 * One Glue table shared by several entries: an account that reads it whole would read past
 * the columns and rows another entry withholds from it, and two whole grants of one table to
 * one account are one Lake Formation permission that two resources would fight over.
 */
function checkSameSourceTable(c: Checker, t: Json): void {
  const whole = new Map<string, number>();
  const filtered = new Map<string, number>();
  arr(t.tables).forEach((raw, i) => {
    const d = obj(raw) ?? {};
    const [owner, database, table] = [str(d.account), str(d.database), str(d.table)];
    if (!owner || !database || !table) return;
    const restricted = d.columns !== undefined || d.rowFilter !== undefined;
    arr(d.consumers).forEach((cr, j) => {
      const key = str(obj(cr)?.account);
      if (!key) return;
      const id = JSON.stringify([owner, database, table, key]);
      const cp = `tables[${i}].consumers[${j}].account`;
      const what = `${database}.${table} of ${show(owner)}`;
      const priorWhole = whole.get(id);
      // A consumer listed twice in one entry is reported by checkTableEntries.
      if (priorWhole === i || (restricted && filtered.get(id) === i)) return;
      if (restricted) {
        if (priorWhole !== undefined) c.add(cp, `account ${show(key)} already reads ${what} whole through tables[${priorWhole}], so the columns and rows this entry withholds would still reach it; share it one way only`);
        else if (!filtered.has(id)) filtered.set(id, i);
        return;
      }
      if (priorWhole !== undefined) {
        c.add(cp, `account ${show(key)} already reads ${what} whole through tables[${priorWhole}]; share a table with an account once`);
        return;
      }
      const priorFiltered = filtered.get(id);
      if (priorFiltered !== undefined) c.add(cp, `account ${show(key)} reads ${what} through the filter of tables[${priorFiltered}], and this entry would share it whole, past that filter; share it one way only`);
      whole.set(id, i);
    });
  });
}

/** Each table a SageMaker user lists is shared with the domain's account, with sagemaker among the roles. */
function checkUserTables(c: Checker, t: Json, acc: AccountView, grants: Map<string, TableGrantView>): void {
  arr(obj(t.sagemaker)?.domains).forEach((raw, i) => {
    const d = obj(raw) ?? {};
    const account = str(d.account);
    const ok = account !== undefined && acc.keys.includes(account);
    arr(d.users).forEach((u, j) => {
      const user = obj(u) ?? {};
      const uname = show(user.name);
      const listed = arr(user.tables);
      listed.forEach((name, k) => {
        const tp = `sagemaker.domains[${i}].users[${j}].tables[${k}]`;
        if (!c.known(tp, name, "table", [...grants.keys()]) || !ok) return;
        if (listed.indexOf(name) !== k) {
          c.add(tp, `user ${uname} lists table ${show(name)} twice`);
          return;
        }
        const grant = grants.get(name as string)!;
        if (grant.owner === account) {
          c.add(tp, `user ${uname} lists table ${show(name)}, which account ${show(account)} itself provides; users read tables shared with their domain's account, so grant it in the provider account or share it from there`);
        } else if (!grant.all.has(account)) {
          c.add(tp, `user ${uname} lists table ${show(name)}, which is not shared with account ${show(account)}; add { account: ${account}, roles: [sagemaker] } to that table's consumers`);
        } else if (!grant.sagemaker.has(account)) {
          c.add(tp, `user ${uname} lists table ${show(name)}, whose grant to account ${show(account)} does not include the sagemaker roles; add sagemaker to that consumer's roles`);
        }
      });
    });
  });
}
