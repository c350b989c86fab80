import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { Account, accountOf, Topology } from "../config/model";
import { AccountProviders } from "../constructs/account-providers";
import { ConsumerAccess } from "../constructs/consumer-access";
import { Organization } from "../constructs/organization";
import { PipelineHub } from "../constructs/pipeline-hub";
import { PipelineRoles } from "../constructs/pipeline-roles";
import { ProviderShares } from "../constructs/provider-shares";
import { RamShares } from "../constructs/ram-share";
import { MlProjects } from "../constructs/ml-project";
import { SagemakerStudio } from "../constructs/sagemaker-domain";
import { useRemoteState } from "../constructs/state-backend";
import { TableAccessGrants } from "../constructs/tables-consumer";
import { TableShares } from "../constructs/tables-provider";
import { prepareWithoutOutputs } from "./prepare";
import { StableJsonSynthesizer } from "./json-synthesizer";
import { toTerraformOnce } from "./to-terraform";

/** Props of {@link AccountStack}. */
export interface AccountStackProps {
  /** The whole resolved topology: every cross-account value is computed from it. */
  readonly topology: Topology;
  /** The account this stack deploys into, and only into. */
  readonly account: Account;
}

/**
 * Everything mlshare makes in one AWS account. The stack's providers all assume that
 * account's deploy role, so a plan of this stack can change no other account.
 */
export class AccountStack extends TerraformStack {
  readonly account: Account;
  readonly topology: Topology;
  readonly providers: AccountProviders;

  /** cdktf's preparing pass, outputs excepted (stacks/prepare.ts says why). */
  prepareStack(): void {
    prepareWithoutOutputs(this);
  }

  /** The stack's Terraform JSON, each element resolved once (stacks/to-terraform.ts says why). */
  toTerraform(): any {
    return toTerraformOnce(this);
  }

  constructor(scope: Construct, props: AccountStackProps) {
    super(scope, props.account.key);
    // The stack's JSON written a part at a time (stacks/json-synthesizer.ts says why).
    this.synthesizer = new StableJsonSynthesizer(this, this.synthesizer);
    const { topology, account } = props;
    this.account = account;
    this.topology = topology;
    useRemoteState(this, account.key, topology);
    this.providers = new AccountProviders(this, "Providers", {
      account,
      roles: account.roles,
      project: topology.project,
      tags: topology.tags,
      pipeline: topology.pipeline,
    });
    if (account.roles.includes("management")) {
      const organization = new Organization(this, "Organization", { topology, account, provider: this.providers.of("management") });
      if (topology.pipeline) {
        const ouIds = new Map([...organization.units].map(([name, unit]) => [name, unit.id]));
        new PipelineRoles(this, "PipelineRoles", { topology, account, provider: this.providers.of("management"), ouIds });
      }
    }
    if (topology.pipeline?.account === account.key) {
      const p = this.providers.byRole;
      const provider =
        p.management ?? p.provider ?? p.consumer ??
        new AccountProviders(this, "PipelineProviders", { account, roles: ["provider"], project: topology.project, tags: topology.tags, pipeline: topology.pipeline }).of("provider");
      new PipelineHub(this, "PipelineHub", { topology, account, provider });
    }
    if (account.roles.includes("provider")) {
      new ProviderShares(this, "Shares", { topology, account, provider: this.providers.of("provider") });
      if (topology.tables.some((t) => t.account === account.key)) new TableShares(this, "TableShares", { topology, account, provider: this.providers.of("provider") });
    }
    if (topology.ramShares.some((s) => s.account === account.key)) {
      // OUs without an id in the topology are looked up, read-only, in the management account.
      let lookup: AccountProviders | undefined;
      const managementLookup = () =>
        this.providers.byRole.management ??
        (lookup ??= new AccountProviders(this, "ManagementLookup", {
          account: accountOf(topology, topology.organization.managementAccount),
          roles: ["management"],
          project: topology.project,
          tags: topology.tags,
          pipeline: topology.pipeline,
        })).of("management");
      new RamShares(this, "Ram", { topology, account, provider: this.providers.of("provider"), managementLookup });
    }
    const domain = topology.sagemakerDomains.find((d) => d.account === account.key);
    const studio = domain ? new SagemakerStudio(this, "Studio", { topology, account, domain, provider: this.providers.of("consumer") }) : undefined;
    const projects = topology.mlProjects.some((p) => p.accounts.some((a) => a.account === account.key))
      ? new MlProjects(this, "MlProjects", { topology, account, consumer: this.providers.of("consumer"), provider: this.providers.byRole.provider })
      : undefined;
    if (account.roles.includes("consumer") || account.roles.includes("provider")) {
      const provider = this.providers.byRole.consumer ?? this.providers.of("provider");
      // Grants to roles this stack makes name them by reference, so they wait for the role.
      const made = (name: string) => studio?.executionRoles.get(name) ?? projects?.roles.get(name);
      const roleName = (name: string) => made(name)?.name ?? name;
      const madeUsed = (name: string) => studio?.inlineUsed.get(name) ?? projects?.inlineUsed.get(name) ?? 0;
      const tables = topology.tables.some((t) => t.consumers.some((c) => c.account === account.key))
        ? new TableAccessGrants(this, "TableAccess", { topology, account, provider, roleName, roleArn: (name) => made(name)?.arn, inlineUsed: madeUsed })
        : undefined;
      const inlineUsed = (name: string) => madeUsed(name) + (tables?.inlineUsed.get(name) ?? 0);
      new ConsumerAccess(this, "Access", { topology, account, provider, roleName, inlineUsed });
    }
    new TerraformOutput(this, "account", {
      description: "The AWS account this stack deploys into, and the parts it plays",
      value: { key: account.key, id: account.id, region: account.region, roles: [...account.roles] },
    });
  }
}
