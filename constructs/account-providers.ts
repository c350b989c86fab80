import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { Account, AccountRole, Pipeline } from "../config/model";
import { deploySessionName } from "../config/naming";
import { phaseRoleArn } from "./pipeline-phase";

/** Props of {@link AccountProviders}. */
export interface AccountProvidersProps {
  /** The account every provider deploys into. */
  readonly account: Account;
  /** The roles to make a provider for; one aliased provider per role. */
  readonly roles: readonly AccountRole[];
  /** The project prefix, for the session name. */
  readonly project: string;
  /** Default tags of every resource (ManagedBy included). */
  readonly tags: Readonly<Record<string, string>>;
  /** The region of the providers. @default the account's region */
  readonly region?: string;
  /** With `pipeline`: the providers assume the plan or the deploy role by `mlshare_phase`. */
  readonly pipeline?: Pipeline;
}

/**
 * The AWS providers of one account's stack, aliased by the role the account plays
 * (`management`, `provider`, `consumer`). Each assumes the account's deploy role, so the
 * stack can only change that account (DESIGN.md, decision 1).
 */
export class AccountProviders extends Construct {
  /** The provider of each role. */
  readonly byRole: Partial<Record<AccountRole, AwsProvider>> = {};

  constructor(scope: Construct, id: string, props: AccountProvidersProps) {
    super(scope, id);
    const { account } = props;
    for (const role of props.roles) {
      this.byRole[role] = new AwsProvider(this, role, {
        alias: role,
        region: props.region ?? account.region,
        allowedAccountIds: [account.id],
        assumeRole: [
          {
            roleArn: props.pipeline ? phaseRoleArn(this, account, props.pipeline) : account.deployRoleArn,
            sessionName: deploySessionName(props.project, account.key),
            externalId: account.deployExternalId,
          },
        ],
        defaultTags: [{ tags: { ...props.tags } }],
      });
    }
  }

  /** The provider of a role; throws when the stack has none for it (a bug in the stack). */
  of(role: AccountRole): AwsProvider {
    const p = this.byRole[role];
    if (!p) throw new Error(`internal: this stack has no ${role} provider`);
    return p;
  }
}
