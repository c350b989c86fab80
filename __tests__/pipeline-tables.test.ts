/**
 * `pipeline` with Lake Formation tables: what the provider's and the consumers' deploy and
 * plan roles may do to the shared table, its data cells filter, the RAM shares of
 * cross-account grants and the resource links, with @cloud-copilot/iam-simulate over the
 * synthesized StackSet template of examples/pipeline.yaml (each member's parameter overrides)
 * and the management stack's own roles. Where AWS takes only `*` (Lake Formation's grant,
 * revoke and filter actions), the roles that have the part are allowed and the others not.
 */
import * as path from "path";
import { loadTopology } from "../config/load";
import { asRole as as, managementRole, memberRoles } from "./helpers/pipeline-roles";
import { synthInput } from "./helpers/synth";

const out = synthInput(loadTopology(path.join(__dirname, "..", "examples", "pipeline.yaml")));

const HUB = "710000000001";
const LAKE = "710000000002";
const DEV = "710000000003";
const PROD = "710000000004";
const DATABASE = `arn:aws:glue:eu-west-1:${LAKE}:database/claims`;
const TABLE = `arn:aws:glue:eu-west-1:${LAKE}:table/claims/claims`;
const LINK = "acme_pipe_710000000002_claims";

const lake = memberRoles(out, LAKE);
const prod = memberRoles(out, PROD);
const dev = memberRoles(out, DEV);

describe("tables: the provider's deploy role grants and filters, reads only the topology's table (iam-simulate)", () => {
  const can = as(LAKE, lake.deploy);

  test("Lake Formation grants and data cells filters (AWS takes only * for them)", async () => {
    for (const action of [
      "lakeformation:GrantPermissions",
      "lakeformation:RevokePermissions",
      "lakeformation:ListPermissions",
      "lakeformation:CreateDataCellsFilter",
      "lakeformation:UpdateDataCellsFilter",
      "lakeformation:DeleteDataCellsFilter",
      "lakeformation:GetDataCellsFilter",
    ]) {
      expect({ action, decision: await can(action, "*") }).toEqual({ action, decision: "Allowed" });
    }
    for (const action of ["lakeformation:PutDataLakeSettings", "lakeformation:RegisterResource", "lakeformation:GetDataAccess"]) {
      expect({ action, decision: await can(action, "*") }).toEqual({ action, decision: "ImplicitlyDenied" });
    }
  });

  test("Glue reads of the shared database and table, not of another", async () => {
    expect(await can("glue:GetTable", TABLE)).toBe("Allowed");
    expect(await can("glue:GetDatabase", DATABASE)).toBe("Allowed");
    expect(await can("glue:GetTable", `arn:aws:glue:eu-west-1:${LAKE}:table/claims/claims_raw`)).not.toBe("Allowed");
    expect(await can("glue:GetDatabase", `arn:aws:glue:eu-west-1:${LAKE}:database/finance`)).not.toBe("Allowed");
    for (const action of ["glue:UpdateTable", "glue:DeleteTable", "glue:GetPartitions"]) {
      expect({ action, decision: await can(action, TABLE) }).toEqual({ action, decision: "ImplicitlyDenied" });
    }
    for (const action of ["glue:CreateDatabase", "glue:UpdateDatabase", "glue:DeleteDatabase"]) {
      expect({ action, decision: await can(action, DATABASE) }).toEqual({ action, decision: "ImplicitlyDenied" });
    }
    // The catalog's resource policy stays the lake owners' (only version 1 grants write it).
    // (iam-simulate has no resource type for glue:PutResourcePolicy: read the policies instead.)
    expect(JSON.stringify(lake.deploy.policies)).not.toMatch(/glue:PutResourcePolicy|glue:DeleteResourcePolicy|glue:\*/);
  });

  test("the RAM shares of cross-account grants, as Lake Formation names them", async () => {
    expect(await can("ram:CreateResourceShare", "*", { "ram:RequestedResourceType": "glue:Table" })).toBe("Allowed");
    expect(await can("ram:CreateResourceShare", "*", { "ram:RequestedResourceType": "ec2:Subnet" })).not.toBe("Allowed");
    const share = `arn:aws:ram:eu-west-1:${LAKE}:resource-share/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;
    expect(await can("ram:AssociateResourceShare", share, { "ram:ResourceShareName": "LakeFormation-V3-123456" })).toBe("Allowed");
    expect(await can("ram:AssociateResourceShare", share, { "ram:ResourceShareName": "subnets" })).not.toBe("Allowed");
  });

  test("an account without tables grants none", async () => {
    const mgmt = managementRole(out, "mlshare-deploy");
    expect(await as(HUB, mgmt)("lakeformation:GrantPermissions", "*")).not.toBe("Allowed");
    expect(await as(DEV, dev.deploy)("lakeformation:CreateDataCellsFilter", "*")).not.toBe("Allowed");
  });
});

describe("tables: the consumers' deploy roles make their resource link and grant on it (iam-simulate)", () => {
  const can = as(PROD, prod.deploy);
  const link = `arn:aws:glue:eu-west-1:${PROD}:database/${LINK}`;
  // The provider's catalog policy that Lake Formation's RAM share writes (cross-account Glue
  // reads need it): it admits the consumer account to the shared table, so only the identity
  // side decides here.
  const ramPolicy = (resource: string) => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: [PROD] }, Action: ["glue:GetTable", "glue:GetDatabase"], Resource: [resource] }],
  });

  test.each(["glue:CreateDatabase", "glue:UpdateDatabase", "glue:DeleteDatabase", "glue:GetDatabase", "glue:GetTags"])("%s: the resource link yes, another database no", async (action) => {
    expect(await can(action, link)).toBe("Allowed");
    expect(await can(action, `arn:aws:glue:eu-west-1:${PROD}:database/scoring`)).not.toBe("Allowed");
    expect(await can(action, `arn:aws:glue:eu-west-1:${PROD}:database/${LINK}_x`)).not.toBe("Allowed");
  });

  test("grants on the link and the shared table; Glue reads of the shared table across accounts, not of another", async () => {
    for (const action of ["lakeformation:GrantPermissions", "lakeformation:RevokePermissions", "lakeformation:ListPermissions"]) {
      expect({ action, decision: await can(action, "*") }).toEqual({ action, decision: "Allowed" });
    }
    expect(await can("glue:GetTable", TABLE, {}, ramPolicy(TABLE))).toBe("Allowed");
    const other = `arn:aws:glue:eu-west-1:${LAKE}:table/claims/claims_raw`;
    expect(await can("glue:GetTable", other, {}, ramPolicy(other))).not.toBe("Allowed");
  });

  test("no filters, no table writes, no Lake Formation settings", async () => {
    expect(await can("lakeformation:CreateDataCellsFilter", "*")).not.toBe("Allowed");
    expect(await can("lakeformation:PutDataLakeSettings", "*")).not.toBe("Allowed");
    expect(await can("glue:CreateTable", link)).not.toBe("Allowed");
    expect(await can("glue:TagResource", link)).not.toBe("Allowed");
  });
});

describe("tables: the plan roles read grants and links, never data (iam-simulate)", () => {
  test("the provider's plan role", async () => {
    const can = as(LAKE, lake.plan);
    expect(await can("lakeformation:ListPermissions", "*")).toBe("Allowed");
    expect(await can("lakeformation:GetDataCellsFilter", "*")).toBe("Allowed");
    expect(await can("glue:GetTable", TABLE)).toBe("Allowed");
    expect(await can("glue:GetTable", `arn:aws:glue:eu-west-1:${LAKE}:table/claims/claims_raw`)).not.toBe("Allowed");
    expect(await can("lakeformation:GetDataAccess", "*")).toBe("ExplicitlyDenied");
    expect(await can("lakeformation:GrantPermissions", "*")).not.toBe("Allowed");
    expect(await can("lakeformation:CreateDataCellsFilter", "*")).not.toBe("Allowed");
  });

  test("a consumer's plan role", async () => {
    const can = as(PROD, prod.plan);
    const link = `arn:aws:glue:eu-west-1:${PROD}:database/${LINK}`;
    expect(await can("glue:GetDatabase", link)).toBe("Allowed");
    expect(await can("glue:GetTags", link)).toBe("Allowed");
    expect(await can("lakeformation:ListPermissions", "*")).toBe("Allowed");
    expect(await can("glue:CreateDatabase", link)).not.toBe("Allowed");
    expect(await can("glue:GetDatabase", `arn:aws:glue:eu-west-1:${PROD}:database/scoring`)).not.toBe("Allowed");
    expect(await can("lakeformation:GetDataAccess", "*")).toBe("ExplicitlyDenied");
  });
});
