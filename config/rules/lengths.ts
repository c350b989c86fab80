/** Rules on the length of the AWS names mlshare derives from the topology's names. */
import * as naming from "../naming";
import { AccountView, arr, Checker, Json, obj, str } from "./common";

/** Every derived bucket, role and policy name within its AWS length limit, reported at the name that makes it. */
export function checkNameLengths(c: Checker, t: Json, acc: AccountView, project: string): void {
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
    const provider = str(d.account);
    const providerId = provider ? acc.id.get(provider) : undefined;
    if (d.classification === "restricted" && !d.existing && providerId) {
      check(`datasets[${i}].name`, "bucket", naming.restrictedDatasetBucketName(project, name, providerId, acc.region.get(provider!)!));
    }
    arr(d.consumers).forEach((cr, j) => {
      const cons = obj(cr) ?? {};
      const id = acc.id.get(str(cons.account) ?? "");
      if (cons.via === "assume-role" && id) {
        check(`datasets[${i}].consumers[${j}]`, "role", naming.readerRoleName(project, id, "read", []));
      }
      arr(cons.roles).forEach((r, k) => {
        if (typeof r === "string" && r !== "sagemaker") {
          check(`datasets[${i}].consumers[${j}].roles[${k}]`, "policy", naming.grantPolicyName(project, r, 10));
        }
      });
    });
  });
}
