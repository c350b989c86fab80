/** Rules of SageMaker domains and users, and of ML projects. */
import { show } from "../errors";
import * as naming from "../naming";
import { AccountView, arr, Checker, Json, obj, pendingError, str, usable } from "./common";
import { DatasetGrant } from "./sharing";

/** SageMaker domains and their users: one domain per account, datasets and artifact sets the account reads. */
export function checkSagemaker(
  c: Checker,
  t: Json,
  acc: AccountView,
  datasets: Map<string, DatasetGrant>,
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

/** ML projects: one account per environment, of that environment, and a model artifact set fit for promotion. */
export function checkProjects(c: Checker, t: Json, acc: AccountView): void {
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
