/** Rules of datasets and model artifact sets: owners, consumers and their roles. */
import { show } from "../errors";
import { AccountView, addConsumerRoles, arr, Checker, Json, obj, pendingError, str, usable } from "./common";

/** A dataset's owner and consumer accounts, and those whose grant includes the sagemaker roles. */
export interface DatasetGrant {
  readonly owner: string;
  readonly sagemaker: Set<string>;
  readonly all: Set<string>;
}

/** Returns, per dataset name, the consumer accounts whose grant includes the sagemaker roles. */
export function checkDatasets(c: Checker, t: Json, acc: AccountView): Map<string, DatasetGrant> {
  const out = new Map<string, DatasetGrant>();
  const datasets = arr(t.datasets);
  c.unique(datasets, "datasets", "name", "dataset name");
  datasets.forEach((raw, i) => {
    const d = obj(raw) ?? {};
    const path = `datasets[${i}]`;
    const owner = str(d.account);
    const ownerOk = usable(c, acc, `${path}.account`, owner, "provide a dataset") && !pendingError(c, acc, `${path}.account`, owner!);
    const entry = { owner: owner ?? "", sagemaker: new Set<string>(), all: new Set<string>() };
    const consumers = arr(d.consumers);
    consumers.forEach((cr, j) => {
      const cons = obj(cr) ?? {};
      const cp = `${path}.consumers[${j}].account`;
      const key = str(cons.account);
      if (!usable(c, acc, cp, key, "consume a dataset") || pendingError(c, acc, cp, key!)) return;
      if (ownerOk && key === owner) {
        c.add(cp, `a dataset's consumer is never its own account (${show(key)} provides dataset ${show(d.name)}); its roles already reach the data in their own account`);
        return;
      }
      if (entry.all.has(key!)) {
        c.add(cp, `account ${show(key)} is already a consumer of dataset ${show(d.name)}; list each consumer account once (roles may name several roles)`);
        return;
      }
      addConsumerRoles(c, entry, key!, cons.roles, `${path}.consumers[${j}]`);
    });
    const name = str(d.name);
    if (name && !out.has(name)) out.set(name, entry);
  });
  return out;
}

/** Returns, per artifact set, the accounts that may read it (owner and consumers). */
export function checkModelArtifacts(c: Checker, t: Json, acc: AccountView): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const sets = arr(t.modelArtifacts);
  c.unique(sets, "modelArtifacts", "name", "model artifact set name");
  sets.forEach((raw, i) => {
    const m = obj(raw) ?? {};
    const path = `modelArtifacts[${i}]`;
    const owner = str(m.account);
    const readers = new Set<string>();
    if (usable(c, acc, `${path}.account`, owner, "own model artifacts") && !pendingError(c, acc, `${path}.account`, owner!)) readers.add(owner!);
    const seen = new Set<string>();
    arr(m.consumers).forEach((cr, j) => {
      const cp = `${path}.consumers[${j}].account`;
      const key = str(obj(cr)?.account);
      if (!usable(c, acc, cp, key, "read model artifacts") || pendingError(c, acc, cp, key!)) return;
      if (key === owner) c.add(cp, `the owning account ${show(key)} already reads its artifacts; it is not a consumer`);
      else if (seen.has(key!)) c.add(cp, `account ${show(key)} is listed twice`);
      else {
        seen.add(key!);
        readers.add(key!);
      }
    });
    const name = str(m.name);
    if (name && !out.has(name)) out.set(name, readers);
  });
  return out;
}
