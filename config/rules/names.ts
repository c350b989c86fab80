/**
 * Names that must not meet: SageMaker scopes that would cover another principal's resources,
 * IAM names that two things of one account would both take, and model package groups two
 * projects would share. Each rule compares case-insensitively: IAM names are unique without
 * regard to case, and SageMaker writes its ARNs in lower case.
 */
import { show } from "../errors";
import { DEFAULT_DEPLOY_ROLE } from "../model";
import * as naming from "../naming";
import { AccountView, arr, Checker, Json, obj, str } from "./common";

/** Something of the topology that owns a name: where it is written and what it is, for messages. */
interface Owner {
  readonly name: string;
  readonly path: string;
  readonly what: string;
  /** Owners of one kind whose equal names another rule already refuses (duplicate users, projects). */
  readonly kind: string;
}

/** The accounts an ML project has an environment in, each once, in the order of environments. */
function projectAccounts(t: Json, p: Json): string[] {
  const map = obj(p.accounts) ?? {};
  const envs = arr(t.environments).filter((e): e is string => typeof e === "string");
  const out: string[] = [];
  for (const env of envs) {
    const key = str(map[env]);
    if (key && !out.includes(key)) out.push(key);
  }
  return out;
}

/** The kinds of the roles the pipeline makes. */
const PIPELINE_KINDS = ["deploy", "plan", "ci"];

/** The role an account's stack is deployed with. */
function deployRoleOf(t: Json, key: string): string {
  return str(obj(obj(t.accounts)?.[key])?.deployRole) ?? DEFAULT_DEPLOY_ROLE;
}

/**
 * The SageMaker scope names of each account: its domain's user names and the names of the
 * ML projects with an environment there. Every SageMaker scope mlshare writes is `<name>-*`.
 */
function scopeNames(t: Json, acc: AccountView): Map<string, Owner[]> {
  const out = new Map<string, Owner[]>();
  const add = (account: string | undefined, o: Owner) => {
    if (account === undefined || !acc.keys.includes(account)) return;
    out.set(account, [...(out.get(account) ?? []), o]);
  };
  arr(obj(t.sagemaker)?.domains).forEach((raw, i) => {
    const d = obj(raw) ?? {};
    arr(d.users).forEach((u, j) => {
      const name = str(obj(u)?.name);
      if (name) add(str(d.account), { name, path: `sagemaker.domains[${i}].users[${j}].name`, what: `user ${show(name)}`, kind: "user" });
    });
  });
  arr(t.mlProjects).forEach((raw, i) => {
    const p = obj(raw) ?? {};
    const name = str(p.name);
    if (!name) return;
    for (const key of projectAccounts(t, p)) add(key, { name, path: `mlProjects[${i}].name`, what: `ML project ${show(name)}`, kind: "project" });
  });
  return out;
}

/**
 * Refuses two SageMaker scope names of one account where one equals the other or starts with
 * it followed by `-`: the scope `<a>-*` of the one would match the resources `<a>-<rest>-*`
 * of the other (its jobs, pipelines, endpoints, models, experiments and log streams, and the
 * trust `aws:SourceArn` of its role). `fraud` and `fraudv2` may live side by side; `fraud`
 * and `fraud-v2` may not.
 */
export function checkScopeOverlaps(c: Checker, t: Json, acc: AccountView): void {
  // One problem per pair of names, listing every account where they meet.
  const pairs = new Map<string, { a: Owner; b: Owner; accounts: string[] }>();
  for (const [account, owners] of scopeNames(t, acc)) {
    owners.forEach((b, j) => {
      for (const a of owners.slice(0, j)) {
        const x = a.name.toLowerCase();
        const y = b.name.toLowerCase();
        const meet = x === y ? !(a.kind === b.kind && a.name === b.name) : x.startsWith(`${y}-`) || y.startsWith(`${x}-`);
        if (!meet) continue; // equal names of one kind are duplicates, refused by the uniqueness rules
        const key = `${a.path}\n${b.path}`;
        const pair = pairs.get(key) ?? { a, b, accounts: [] };
        pair.accounts.push(account);
        pairs.set(key, pair);
      }
    });
  }
  for (const { a, b, accounts } of pairs.values()) {
    const where = `in account${accounts.length > 1 ? "s" : ""} ${accounts.map((k) => show(k)).join(", ")}`;
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    if (x === y) {
      c.add(b.path, `${b.what} and ${a.what} (${a.path}) have one SageMaker scope ${x}-* ${where}: each would reach the other's jobs, pipelines, endpoints and models; rename one`);
      continue;
    }
    const [short, long] = x.length < y.length ? [a, b] : [b, a];
    const s = short.name.toLowerCase();
    c.add(
      b.path,
      `${long.what} (${long.path}) starts with ${show(`${s}-`)}, so the SageMaker scope ${s}-* of ${short.what} (${short.path}) ${where} would match its resources ` +
        `(${long.name.toLowerCase()}-*); rename one so that neither name is the other followed by "-"`,
    );
  }
}

/**
 * The IAM roles mlshare makes in each account, with where each comes from: the domain's
 * default execution role and its users' roles, the ML projects' roles, the reader roles of
 * datasets shared through assume-role (in the provider account), and with `pipeline` the
 * deploy and plan roles of every account and the CI roles of the hub.
 *
 * Managed policies need no check of their own: `<project>-studio-access-<user>` is unique when
 * user names are, and `<project>-grants-<role>-<n>` (n a number, so the role is everything
 * before the last hyphen) is unique when role names are.
 */
function madeRoles(t: Json, acc: AccountView, project: string): Map<string, Owner[]> {
  const out = new Map<string, Owner[]>();
  const add = (account: string | undefined, o: Owner) => {
    if (account === undefined || !acc.id.has(account) || acc.external.has(account)) return;
    out.set(account, [...(out.get(account) ?? []), o]);
  };
  arr(obj(t.sagemaker)?.domains).forEach((raw, i) => {
    const d = obj(raw) ?? {};
    const account = str(d.account);
    const role = naming.sagemakerDefaultRoleName(project);
    add(account, { name: role, path: `sagemaker.domains[${i}]`, what: `the domain's default execution role ${show(role)}`, kind: "default" });
    arr(d.users).forEach((u, j) => {
      const user = str(obj(u)?.name);
      if (!user) return;
      const name = naming.sagemakerUserRoleName(project, user);
      add(account, { name, path: `sagemaker.domains[${i}].users[${j}].name`, what: `the execution role ${show(name)} of user ${show(user)}`, kind: "user" });
    });
  });
  const envs = arr(t.environments).filter((e): e is string => typeof e === "string");
  arr(t.mlProjects).forEach((raw, i) => {
    const p = obj(raw) ?? {};
    const ml = str(p.name);
    const map = obj(p.accounts) ?? {};
    if (!ml) return;
    for (const env of envs) {
      const name = naming.projectRoleName(project, ml, env);
      const what = `the role ${show(name)} of ML project ${show(ml)} in ${env}`;
      add(str(map[env]), { name, path: `mlProjects[${i}].accounts.${env}`, what, kind: "project" });
    }
  });
  const pipeline = obj(t.pipeline);
  if (pipeline) {
    // With pipeline, mlshare makes the plan and deploy roles of every account and the CI roles of the hub.
    const plan = str(pipeline.planRole) ?? naming.DEFAULT_PLAN_ROLE;
    for (const key of acc.keys) {
      const deploy = deployRoleOf(t, key);
      add(key, { name: deploy, path: `accounts.${key}`, what: `the deploy role ${show(deploy)} the pipeline makes`, kind: "deploy" });
      add(key, { name: plan, path: "pipeline.planRole", what: `the plan role ${show(plan)} the pipeline makes`, kind: "plan" });
    }
    const hub = str(pipeline.account) ?? str(obj(t.organization)?.managementAccount);
    for (const name of [naming.ciPlanRoleName(project), naming.ciApplyRoleName(project)]) {
      add(hub, { name, path: "pipeline", what: `the CI role ${show(name)} the pipeline makes`, kind: "ci" });
    }
  }
  arr(t.datasets).forEach((raw, i) => {
    const d = obj(raw) ?? {};
    const dataset = str(d.name);
    if (!dataset) return;
    arr(d.consumers).forEach((cr, j) => {
      const cons = obj(cr) ?? {};
      const id = acc.id.get(str(cons.account) ?? "");
      if (cons.via !== "assume-role" || !id) return;
      // One reader role per (consumer account, roles, access); roles: [sagemaker] resolve later, to a name of the same form.
      const roles = arr(cons.roles).filter((r): r is string => typeof r === "string");
      const name = naming.readerRoleName(project, id, str(cons.access) ?? "read", roles);
      const what = `the reader role ${show(name)} of account ${show(cons.account)} (roles ${roles.map(show).join(", ")}, ${str(cons.access) ?? "read"})`;
      add(str(d.account), { name, path: `datasets[${i}].consumers[${j}]`, what, kind: "reader" });
    });
  });
  return out;
}

/**
 * Refuses two things of one account that mlshare would give one IAM role name (users `bob`
 * and `Bob`, a user `default-execution` beside the domain's default role, an ML project `sm`
 * whose environment is named like a user), and existing roles named in
 * `datasets[].consumers[].roles` that are a role mlshare makes there, or another spelling of
 * an existing role named elsewhere.
 *
 * An existing role written exactly alike in several grants is one role and fine. Written in
 * two cases it is still one IAM role, but mlshare would attach two inline policies of one name
 * to it, each replacing the other. A role mlshare makes gets its access from its own entry
 * (a user's `datasets`); granting it by name would widen it behind that entry's back. ML
 * project roles are the exception: a project reads a dataset by naming its environment's
 * role (`<project>-<name>-<environment>`), exactly as mlshare spells it.
 */
export function checkIamNames(c: Checker, t: Json, acc: AccountView, project: string): void {
  const made = madeRoles(t, acc, project);
  for (const [account, owners] of made) {
    const seen = new Map<string, Owner>();
    for (const o of owners) {
      const key = o.name.toLowerCase();
      const first = seen.get(key);
      if (!first) seen.set(key, o);
      else if (!(first.kind === o.kind && first.name === o.name) && !(PIPELINE_KINDS.includes(first.kind) && PIPELINE_KINDS.includes(o.kind))) {
        // Two of one kind with one name (two users bob, two domains in an account) are duplicates the uniqueness rules refuse;
        // the pipeline's roles among themselves are the pipeline rules' (config/rules/pipeline.ts).
        c.add(o.path, `${o.what} has the name of ${first.what} (${first.path}) in account ${show(account)}; IAM role names are unique in an account, regardless of case: rename one`);
      }
    }
  }
  const existing = new Map<string, Map<string, Owner>>();
  arr(t.datasets).forEach((raw, i) => {
    arr(obj(raw)?.consumers).forEach((cr, j) => {
      const cons = obj(cr) ?? {};
      const account = str(cons.account);
      if (!account || !acc.id.has(account)) return;
      const ours = made.get(account) ?? [];
      const spelled = existing.get(account) ?? new Map<string, Owner>();
      existing.set(account, spelled);
      arr(cons.roles).forEach((r, k) => {
        const role = str(r);
        if (!role || role === "sagemaker") return;
        const path = `datasets[${i}].consumers[${j}].roles[${k}]`;
        const mine = ours.find((o) => o.name.toLowerCase() === role.toLowerCase());
        const deploy = deployRoleOf(t, account);
        if (!mine && deploy.toLowerCase() === role.toLowerCase()) {
          c.add(path, `role ${show(role)} is the role Terraform deploys account ${show(account)} with (its deployRole); data grants never go to the identity that runs Terraform`);
          return;
        }
        // An ML project's role is how a project reads data: named exactly, it is granted like an existing role.
        if (mine && mine.kind === "project" && mine.name === role) return;
        if (mine) {
          c.add(
            path,
            `role ${show(role)} is ${mine.what} (${mine.path}), which mlshare makes in account ${show(account)}; ` +
              `a role mlshare makes reads data only through its own entry (a user lists the dataset; roles: [sagemaker]), never by name, ` +
              `except an ML project's role written exactly as mlshare names it`,
          );
          return;
        }
        const first = spelled.get(role.toLowerCase());
        if (!first) spelled.set(role.toLowerCase(), { name: role, path, what: `role ${show(role)}`, kind: "existing" });
        else if (first.name !== role) {
          c.add(
            path,
            `role ${show(role)} is the IAM role written ${show(first.name)} at ${first.path} (IAM role names ignore case); ` +
              `mlshare would give it two inline policies of one name, each replacing the other: write it the same way everywhere`,
          );
        }
      });
    });
  });
}

/**
 * Refuses two ML projects keeping their models in one model package group: a group lives in
 * the account (and region) of the project's first environment, and two projects naming one
 * group there would make it twice, with two resource policies competing, and let both build
 * roles register into it.
 */
export function checkModelPackageGroups(c: Checker, t: Json, acc: AccountView): void {
  const seen = new Map<string, { path: string; project: string; group: string }>();
  arr(t.mlProjects).forEach((raw, i) => {
    const p = obj(raw) ?? {};
    const group = str(p.modelPackageGroup);
    const registry = projectAccounts(t, p)[0];
    if (!group || !registry || !acc.keys.includes(registry)) return;
    const path = `mlProjects[${i}].modelPackageGroup`;
    const key = `${registry}\n${group.toLowerCase()}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, { path, project: str(p.name) ?? "", group });
      return;
    }
    if (first.project === p.name) return; // a duplicate project, refused by the uniqueness rules
    const region = acc.region.get(registry);
    c.add(
      path,
      `model package group ${show(group)} is already the group of ML project ${show(first.project)} (${first.path}) in account ${show(registry)}` +
        `${region ? ` (${region})` : ""}, where both projects keep their registry; each project needs a group of its own`,
    );
  });
}
