/**
 * The rules of TOPOLOGY.md that relate one part of a topology to another: references,
 * uniqueness, the RAM table, name lengths. They read the file as written, defensively, so
 * they run even when the shape check found problems, and the user gets every error at once.
 */
import { Problem, show } from "./errors";
import * as f from "./formats";
import * as naming from "./naming";
import { parseArn, ramShareRefusal } from "./ram-shareable";

/** Stack names the app uses itself; an account key may not take them. */
export const RESERVED_STACK_NAMES = ["bootstrap"];

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Collects problems and offers the checks rules share. */
class Checker {
  readonly problems: Problem[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Reports a value that is not among the known ones. */
  known(path: string, value: unknown, kind: string, knownValues: readonly string[]): boolean {
    const v = str(value);
    if (v === undefined) return false; // the shape check reports non-strings
    if (knownValues.includes(v)) return true;
    const list = knownValues.length ? knownValues.join(", ") : "none defined";
    this.add(path, `unknown ${kind} ${show(v)}; known: ${list}`);
    return false;
  }

  /** Reports repeated values of `key` among items. */
  unique(items: unknown[], basePath: string, key: string, kind: string): void {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const v = str(obj(item)?.[key]);
      if (v === undefined) return;
      const first = seen.get(v);
      if (first !== undefined) {
        this.add(`${basePath}[${i}].${key}`, `duplicate ${kind} ${show(v)}; already used at ${basePath}[${first}]`);
      } else seen.set(v, i);
    });
  }
}

/** The accounts section, as the rules see it. */
interface AccountView {
  readonly keys: string[];
  /** Accounts the app deploys to (have an id, inside the organization). */
  readonly deployable: string[];
  readonly external: Set<string>;
  readonly pending: Set<string>;
  readonly id: Map<string, string>;
  readonly region: Map<string, string>;
  readonly environment: Map<string, string>;
}

function viewAccounts(t: Json, defaultRegion: string | undefined): AccountView {
  const accounts = obj(t.accounts) ?? {};
  const view: AccountView = {
    keys: Object.keys(accounts),
    deployable: [],
    external: new Set(),
    pending: new Set(),
    id: new Map(),
    region: new Map(),
    environment: new Map(),
  };
  for (const [key, raw] of Object.entries(accounts)) {
    const a = obj(raw) ?? {};
    const id = str(a.id);
    if (id) view.id.set(key, id);
    view.region.set(key, (a.region === undefined ? defaultRegion : region(a.region)) ?? "");
    const env = str(a.environment);
    if (env) view.environment.set(key, env);
    if (a.outsideOrganization === true) view.external.add(key);
    else if (a.create === true && !id) view.pending.add(key);
    else view.deployable.push(key);
  }
  return view;
}

/**
 * Checks every cross-reference rule of a topology and returns the problems found (empty
 * when none). `raw` is the parsed file; it may be partly malformed.
 */
export function checkRules(raw: unknown): Problem[] {
  const c = new Checker();
  const t = obj(raw);
  if (!t) return c.problems;
  const project = str(t.project);
  const defaultRegion = region(t.defaultRegion);
  const acc = viewAccounts(t, defaultRegion);

  checkAccounts(c, t, acc);
  const ous = checkOrganization(c, t, acc);
  checkState(c, t, acc);
  checkTags(c, t);
  const datasetConsumers = checkDatasets(c, t, acc);
  const artifactReaders = checkModelArtifacts(c, t, acc);
  checkSagemaker(c, t, acc, datasetConsumers, artifactReaders);
  checkProjects(c, t, acc);
  checkRamShares(c, t, acc, ous);
  if (project && PROJECT_OK(project)) checkNameLengths(c, t, acc, project);
  return c.problems;
}

const PROJECT_OK = (p: string) => f.PROJECT.pattern.test(p);

/** A region only when it is well formed: the shape check reports a bad one, rules must not compare with it. */
function region(v: unknown): string | undefined {
  const r = str(v);
  return r !== undefined && f.REGION.pattern.test(r) ? r : undefined;
}

/** Where an account is used although it cannot be deployed to. */
function usable(c: Checker, acc: AccountView, path: string, key: unknown, what: string): boolean {
  const k = str(key);
  if (k === undefined) return false;
  if (!c.known(path, k, "account", acc.keys)) return false;
  if (acc.external.has(k)) {
    c.add(path, `account ${show(k)} is outsideOrganization, so it cannot ${what}; it may only be a RAM share principal`);
    return false;
  }
  return true;
}

function checkAccounts(c: Checker, t: Json, acc: AccountView): void {
  const accounts = obj(t.accounts) ?? {};
  const envs = arr(t.environments).filter((e): e is string => typeof e === "string");
  const ids = new Map<string, string>();
  for (const [key, raw] of Object.entries(accounts)) {
    const path = `accounts.${key}`;
    if (!f.ACCOUNT_KEY.pattern.test(key)) c.add(path, `account key ${show(key)} must be ${f.ACCOUNT_KEY.rule}`);
    if (RESERVED_STACK_NAMES.includes(key)) c.add(path, `account key ${show(key)} is reserved for the app's own stack; choose another key`);
    const a = obj(raw);
    if (!a) continue;
    const id = str(a.id);
    if (a.create === true) {
      if (a.outsideOrganization === true) c.add(`${path}.create`, "an account outside the organization cannot be created by the management stack");
      if (a.email === undefined) c.add(`${path}.email`, "is required when create is true (the new account's root e-mail)");
      if (a.name === undefined) c.add(`${path}.name`, "is required when create is true (the new account's name)");
    } else if (a.id === undefined) {
      c.add(`${path}.id`, "is required (a 12-digit account id), unless the management stack creates the account with create: true");
    }
    if (a.email !== undefined && a.name === undefined && a.create !== true) c.add(`${path}.name`, "is required with email (both let the management stack manage the account)");
    if (a.name !== undefined && a.email === undefined && a.create !== true) c.add(`${path}.email`, "is required with name (both let the management stack manage the account)");
    if (id) {
      const other = ids.get(id);
      if (other) c.add(`${path}.id`, `account id ${show(id)} is already used by account ${show(other)}; ids are unique`);
      else ids.set(id, key);
    }
    const env = str(a.environment);
    if (env !== undefined && !envs.includes(env)) {
      c.add(`${path}.environment`, `unknown environment ${show(env)}; known: ${envs.length ? envs.join(", ") : "none (add an environments list)"}`);
    }
  }
  const envList = arr(t.environments);
  envList.forEach((e, i) => {
    if (typeof e === "string" && envList.indexOf(e) !== i) c.add(`environments[${i}]`, `duplicate environment ${show(e)}`);
  });
  const org = obj(t.organization);
  if (org && org.managementAccount !== undefined) {
    if (usable(c, acc, "organization.managementAccount", org.managementAccount, "be the management account")) {
      if (acc.pending.has(String(org.managementAccount))) {
        c.add("organization.managementAccount", `the management account ${show(org.managementAccount)} needs its id; it cannot be created by itself`);
      }
    }
  }
}

/** Checks the organization section; returns the OU names. */
function checkOrganization(c: Checker, t: Json, acc: AccountView): string[] {
  const org = obj(t.organization);
  if (!org) return [];
  const ous = arr(org.organizationalUnits);
  const names = ous.map((o) => str(obj(o)?.name)).filter((n): n is string => !!n);
  c.unique(ous, "organization.organizationalUnits", "name", "OU name");
  const placed = new Map<string, string>();
  const parentOf = new Map<string, string>();
  ous.forEach((raw, i) => {
    const o = obj(raw) ?? {};
    const path = `organization.organizationalUnits[${i}]`;
    const name = str(o.name);
    const parent = o.parent === undefined ? "root" : str(o.parent);
    if (parent !== undefined && parent !== "root") {
      if (parent === name) c.add(`${path}.parent`, `an OU cannot be its own parent (${show(parent)})`);
      else if (c.known(`${path}.parent`, parent, "parent OU (or root)", names) && name) parentOf.set(name, parent);
    }
    if (parent === "root" && org.rootId === undefined) {
      c.add(`${path}.parent`, "OUs under root need organization.rootId (r-xxxx) to be set");
    }
    arr(o.accounts).forEach((a, j) => {
      const ap = `${path}.accounts[${j}]`;
      if (!usable(c, acc, ap, a, "be placed in an OU")) return;
      const prev = placed.get(a as string);
      if (prev) c.add(ap, `account ${show(a)} is already placed in OU ${show(prev)}; an account is in one OU`);
      else if (name) placed.set(a as string, name);
    });
  });
  // A parent chain that loops never reaches root.
  for (const start of parentOf.keys()) {
    const seen = new Set<string>([start]);
    let cur = parentOf.get(start);
    while (cur && cur !== "root") {
      if (seen.has(cur)) {
        const i = names.indexOf(start);
        c.add(`organization.organizationalUnits[${i}].parent`, `OU ${show(start)} is in a parent cycle (${[...seen].join(" -> ")} -> ${cur})`);
        break;
      }
      seen.add(cur);
      cur = parentOf.get(cur);
    }
  }
  arr(org.guardrails).forEach((g, i) => {
    arr(obj(g)?.targets).forEach((target, j) => checkTarget(c, `organization.guardrails[${i}].targets[${j}]`, target, org, names, acc));
  });
  return names;
}

function checkTarget(c: Checker, path: string, target: unknown, org: Json, ous: string[], acc: AccountView): void {
  const t = str(target);
  if (t === undefined) return;
  if (t === "root") {
    if (org.rootId === undefined) c.add(path, "targets root, so organization.rootId (r-xxxx) must be set");
  } else if (t.startsWith("ou:")) {
    c.known(path, t.slice(3), "OU", ous);
  } else if (t.startsWith("account:")) {
    const key = t.slice(8);
    if (usable(c, acc, path, key, "receive a guardrail") && acc.pending.has(key)) {
      c.add(path, `account ${show(key)} has no id yet (create: true); attach the guardrail once its id is written in the topology`);
    }
  }
}

function checkState(c: Checker, t: Json, acc: AccountView): void {
  const s = obj(t.state);
  if (!s) return; // the shape check reports a missing or malformed state once
  const backend = s.backend ?? "s3";
  if (backend === "s3") {
    if (s.bucket === undefined) c.add("state.bucket", "is required with backend s3");
    if (s.region === undefined) c.add("state.region", "is required with backend s3");
    for (const k of ["organization", "workspacePrefix", "hostname"]) {
      if (s[k] !== undefined) c.add(`state.${k}`, `is for backend cloud; with backend s3 remove it`);
    }
    const locking = s.locking ?? "lockfile";
    if (locking === "dynamodb" && s.dynamodbTable === undefined) c.add("state.dynamodbTable", "is required when locking is dynamodb");
    if (locking !== "dynamodb" && s.dynamodbTable !== undefined) c.add("state.dynamodbTable", `is refused when locking is ${show(locking)}; set locking: dynamodb or remove it`);
    if (s.account !== undefined && usable(c, acc, "state.account", s.account, "hold the state bucket") && acc.pending.has(String(s.account))) {
      c.add("state.account", `account ${show(s.account)} has no id yet; the state bucket needs an existing account`);
    }
  } else if (backend === "cloud") {
    if (s.organization === undefined) c.add("state.organization", "is required with backend cloud (the Terraform Cloud organization)");
    for (const k of ["bucket", "region", "keyPrefix", "locking", "dynamodbTable", "roleArn", "account"]) {
      if (s[k] !== undefined) c.add(`state.${k}`, `is for backend s3; with backend cloud remove it`);
    }
  }
}

function checkTags(c: Checker, t: Json): void {
  const tags = obj(t.tags);
  if (!tags) return;
  if (Object.keys(tags).length > 50 - 1) c.add("tags", `has ${Object.keys(tags).length} tags; AWS allows 50 per resource and mlshare adds ManagedBy`);
  if ("ManagedBy" in tags) c.add("tags.ManagedBy", "is set by mlshare itself (ManagedBy = mlshare); remove it");
}

/** Returns, per dataset name, the consumer accounts whose grant includes the sagemaker roles. */
function checkDatasets(c: Checker, t: Json, acc: AccountView): Map<string, { owner: string; sagemaker: Set<string>; all: Set<string> }> {
  const out = new Map<string, { owner: string; sagemaker: Set<string>; all: Set<string> }>();
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
      entry.all.add(key!);
      const roles = cons.roles === undefined ? ["sagemaker"] : arr(cons.roles);
      if (roles.includes("sagemaker")) entry.sagemaker.add(key!);
      roles.forEach((r, k) => {
        if (typeof r === "string" && roles.indexOf(r) !== k) c.add(`${path}.consumers[${j}].roles[${k}]`, `duplicate role ${show(r)}`);
      });
    });
    const name = str(d.name);
    if (name && !out.has(name)) out.set(name, entry);
  });
  return out;
}

function pendingError(c: Checker, acc: AccountView, path: string, key: string): boolean {
  if (!acc.pending.has(key)) return false;
  c.add(path, `account ${show(key)} has no id yet (create: true); write the id the management stack outputs into accounts.${key}.id, then use it here`);
  return true;
}

/** Returns, per artifact set, the accounts that may read it (owner and consumers). */
function checkModelArtifacts(c: Checker, t: Json, acc: AccountView): Map<string, Set<string>> {
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

function checkSagemaker(
  c: Checker,
  t: Json,
  acc: AccountView,
  datasets: Map<string, { owner: string; sagemaker: Set<string>; all: Set<string> }>,
  artifacts: Map<string, Set<string>>,
): void {
  const domains = arr(obj(t.sagemaker)?.domains);
  c.unique(domains, "sagemaker.domains", "account", "domain account (one domain per account)");
  domains.forEach((raw, i) => {
    const d = obj(raw) ?? {};
    const path = `sagemaker.domains[${i}]`;
    const account = str(d.account);
    const ok = usable(c, acc, `${path}.account`, account, "host a SageMaker domain") && !pendingError(c, acc, `${path}.account`, account!);
    const users = arr(d.users);
    c.unique(users, `${path}.users`, "name", "user name in this domain");
    users.forEach((u, j) => {
      const user = obj(u) ?? {};
      const up = `${path}.users[${j}]`;
      const uname = show(user.name);
      arr(user.datasets).forEach((ds, k) => {
        const dp = `${up}.datasets[${k}]`;
        if (!c.known(dp, ds, "dataset", [...datasets.keys()]) || !ok) return;
        const grant = datasets.get(ds as string)!;
        if (grant.owner === account) {
          c.add(dp, `user ${uname} lists dataset ${show(ds)}, which account ${show(account)} itself provides; users read datasets shared with their domain's account, so read it in the provider account or share it from there`);
        } else if (!grant.all.has(account!)) {
          c.add(dp, `user ${uname} lists dataset ${show(ds)}, which is not shared with account ${show(account)}; add { account: ${account}, roles: [sagemaker] } to that dataset's consumers`);
        } else if (!grant.sagemaker.has(account!)) {
          c.add(dp, `user ${uname} lists dataset ${show(ds)}, whose grant to account ${show(account)} does not include the sagemaker roles; add sagemaker to that consumer's roles`);
        }
      });
      arr(user.modelArtifacts).forEach((ma, k) => {
        const mp = `${up}.modelArtifacts[${k}]`;
        if (!c.known(mp, ma, "model artifact set", [...artifacts.keys()]) || !ok) return;
        if (!artifacts.get(ma as string)!.has(account!)) {
          c.add(mp, `user ${uname} lists model artifact set ${show(ma)}, which account ${show(account)} neither owns nor reads; add ${account} to its consumers`);
        }
      });
    });
  });
}

function checkProjects(c: Checker, t: Json, acc: AccountView): void {
  const projects = arr(t.mlProjects);
  const envs = arr(t.environments).filter((e): e is string => typeof e === "string");
  c.unique(projects, "mlProjects", "name", "ML project name");
  projects.forEach((raw, i) => {
    const p = obj(raw) ?? {};
    const path = `mlProjects[${i}]`;
    const map = obj(p.accounts);
    if (!map) return;
    if (!envs.length) c.add(`${path}.accounts`, "maps environments, so the topology needs an environments list");
    for (const env of envs) {
      if (!(env in map)) c.add(`${path}.accounts`, `has no account for environment ${show(env)}; each environment of environments maps to one account`);
    }
    for (const [env, key] of Object.entries(map)) {
      const ep = `${path}.accounts.${env}`;
      if (!envs.includes(env)) {
        c.add(ep, `unknown environment ${show(env)}; known: ${envs.length ? envs.join(", ") : "none"}`);
        continue;
      }
      if (!usable(c, acc, ep, key, "host an ML project") || pendingError(c, acc, ep, key as string)) continue;
      const actual = acc.environment.get(key as string);
      if (actual !== env) {
        const has = actual === undefined ? "has no environment" : `has environment ${show(actual)}`;
        c.add(ep, `account ${show(key)} ${has}, not ${show(env)}; set accounts.${key}.environment: ${env} or map another account`);
      }
    }
    checkProjectArtifacts(c, t, p, path, envs.filter((e) => e in map).map((e) => map[e]));
  });
}

/** A project's model artifact set: named and fit for promotion, or implied without a clash. */
function checkProjectArtifacts(c: Checker, t: Json, p: Json, path: string, accounts: unknown[]): void {
  const sets = arr(t.modelArtifacts).map(obj).filter((m): m is Json => !!m);
  const name = str(p.name);
  if (p.modelArtifacts === undefined) {
    const implied = name ? naming.projectArtifactSetName(name) : undefined;
    if (implied && sets.some((m) => m.name === implied)) {
      c.add(`${path}.name`, `project ${show(name)} makes a model artifact set ${show(implied)}, which modelArtifacts already defines; set modelArtifacts: ${implied} on the project to use it`);
    }
    return;
  }
  const setName = str(p.modelArtifacts);
  const set = sets.find((m) => m.name === setName);
  if (!set) {
    c.known(`${path}.modelArtifacts`, setName, "model artifact set", sets.map((m) => str(m.name)).filter((x): x is string => !!x));
    return;
  }
  const [first, ...later] = accounts.filter((a): a is string => typeof a === "string");
  if (first && set.account !== first) {
    c.add(`${path}.modelArtifacts`, `set ${show(setName)} is owned by ${show(set.account)}, but the project builds models in ${show(first)} (its first environment); the set must be owned there`);
  }
  const readers = arr(set.consumers).map((x) => str(obj(x)?.account));
  for (const a of later) {
    if (!readers.includes(a)) c.add(`${path}.modelArtifacts`, `set ${show(setName)} does not list ${show(a)} among its consumers, but the project promotes models to it; add it`);
  }
}

function checkRamShares(c: Checker, t: Json, acc: AccountView, ous: string[]): void {
  const shares = arr(t.ramShares);
  c.unique(shares, "ramShares", "name", "RAM share name");
  shares.forEach((raw, i) => {
    const s = obj(raw) ?? {};
    const path = `ramShares[${i}]`;
    const owner = str(s.account);
    const ownerOk = usable(c, acc, `${path}.account`, owner, "own a RAM share") && !pendingError(c, acc, `${path}.account`, owner!);
    const ownerId = ownerOk ? acc.id.get(owner!) : undefined;
    arr(s.resources).forEach((r, j) => {
      const rp = `${path}.resources[${j}].arn`;
      const arn = str(obj(r)?.arn);
      if (arn === undefined) return;
      const refusal = ramShareRefusal(arn);
      if (refusal) {
        c.add(rp, refusal);
        return;
      }
      const parsed = parseArn(arn)!;
      if (ownerId && parsed.account && parsed.account !== ownerId) {
        c.add(rp, `resource ${show(arn)} belongs to account ${parsed.account}, not to the share's owner ${show(owner)} (${ownerId}); a share holds only its owner's resources`);
      }
      const region = acc.region.get(owner ?? "");
      if (ownerOk && region && parsed.region && parsed.region !== region) {
        c.add(rp, `resource ${show(arn)} is in ${parsed.region}, but account ${show(owner)} deploys in ${region}; RAM shares are regional`);
      }
    });
    const external = s.allowExternalPrincipals === true;
    arr(s.principals).forEach((p, j) => {
      const pp = `${path}.principals[${j}]`;
      const v = str(p);
      if (v === undefined || v === "organization") return;
      if (v.startsWith("ou:")) {
        c.known(pp, v.slice(3), "OU", ous);
      } else if (v.startsWith("account:")) {
        const key = v.slice(8);
        if (!c.known(pp, key, "account", acc.keys)) return;
        if (pendingError(c, acc, pp, key)) return;
        if (key === owner) c.add(pp, `the share's owner ${show(key)} is not a principal of its own share`);
        if (acc.external.has(key) && !external) {
          c.add(pp, `account ${show(key)} is outside the organization; sharing with it needs allowExternalPrincipals: true on this share`);
        }
      }
    });
  });
}

function checkNameLengths(c: Checker, t: Json, acc: AccountView, project: string): void {
  const check = (path: string, kind: keyof typeof naming.LIMITS, name: string) => {
    const err = naming.lengthError(kind, name);
    if (err) c.add(path, err);
  };
  for (const key of acc.deployable) {
    const id = acc.id.get(key);
    const region = acc.region.get(key);
    if (!id || !region) continue;
    const names = naming.accountNames(project, id, region);
    check(`accounts.${key}`, "bucket", names.dataBucket);
    check(`accounts.${key}`, "bucket", names.logBucket);
  }
  arr(t.modelArtifacts).forEach((raw, i) => {
    const m = obj(raw) ?? {};
    const owner = str(m.account);
    const name = str(m.name);
    const id = owner ? acc.id.get(owner) : undefined;
    const region = owner ? acc.region.get(owner) : undefined;
    if (!name || !id || !region) return;
    check(`modelArtifacts[${i}].name`, "bucket", naming.artifactBucketName(project, name, id, region));
  });
  arr(obj(t.sagemaker)?.domains).forEach((raw, i) => {
    arr(obj(raw)?.users).forEach((u, j) => {
      const name = str(obj(u)?.name);
      if (name) check(`sagemaker.domains[${i}].users[${j}].name`, "role", naming.sagemakerUserRoleName(project, name));
    });
  });
  const envs = arr(t.environments).filter((e): e is string => typeof e === "string");
  arr(t.mlProjects).forEach((raw, i) => {
    const p = obj(raw) ?? {};
    const name = str(p.name);
    const map = obj(p.accounts) ?? {};
    if (!name) return;
    for (const env of envs) {
      if (typeof map[env] === "string") check(`mlProjects[${i}].name`, "role", naming.projectRoleName(project, name, env));
    }
    const owner = envs.map((e) => map[e]).find((a): a is string => typeof a === "string");
    const id = owner ? acc.id.get(owner) : undefined;
    if (p.modelArtifacts === undefined && id) {
      check(`mlProjects[${i}].name`, "bucket", naming.artifactBucketName(project, naming.projectArtifactSetName(name), id, acc.region.get(owner!)!));
    }
  });
  arr(t.datasets).forEach((raw, i) => {
    const d = obj(raw) ?? {};
    const name = str(d.name);
    if (!name) return;
    arr(d.consumers).forEach((cr, j) => {
      const cons = obj(cr) ?? {};
      const id = acc.id.get(str(cons.account) ?? "");
      if (cons.via === "assume-role" && id) {
        check(`datasets[${i}].consumers[${j}]`, "role", naming.datasetReaderRoleName(project, name, id));
      }
      arr(cons.roles).forEach((r, k) => {
        if (typeof r === "string" && r !== "sagemaker") {
          check(`datasets[${i}].consumers[${j}].roles[${k}]`, "policy", naming.grantPolicyName(project, r, 10));
        }
      });
    });
  });
}
