/**
 * The `mlshare_phase` Terraform variable of every stack of a topology with `pipeline`, and
 * the role its providers assume by it:
 * - `plan`: the account's plan role (pull-request plans: configuration reads only);
 * - `apply` (default): the account's deploy role;
 * - `run-phase`: the plan role while Terraform plans and the deploy role while it applies
 *   (`terraform.applying`), for Terraform Cloud, whose plan and apply phases of one run hold
 *   the plan and the apply CI role;
 * - `admin`: no role; the caller's own credentials (the management account's first apply,
 *   before its roles exist, and the bootstrap stack).
 */
import { TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { Account, Pipeline } from "../config/model";
import { roleArn } from "../config/naming";

/** The variable's name in every stack. */
export const PHASE_VARIABLE = "mlshare_phase";
/** Its values. */
export const PHASES = ["plan", "apply", "run-phase", "admin"] as const;

/** The stack's `mlshare_phase` variable, made on first use. */
export function phaseVariable(scope: Construct): TerraformVariable {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(PHASE_VARIABLE);
  if (existing) return existing as TerraformVariable;
  return new TerraformVariable(stack, PHASE_VARIABLE, {
    type: "string",
    default: "apply",
    nullable: false,
    description:
      "Which role the providers assume: plan (the account's plan role, read-only), apply (its deploy role), run-phase (plan role while planning, deploy role while applying: Terraform Cloud), admin (none: the caller's own credentials)",
    validation: [
      {
        condition: `\${contains(${JSON.stringify(PHASES)}, var.${PHASE_VARIABLE})}`,
        errorMessage: `mlshare_phase must be one of ${PHASES.join(", ")}.`,
      },
    ],
  });
}

/** The plan role of an account. */
export function planRoleArn(account: Account, pipeline: Pipeline): string {
  return roleArn(account.partition, account.id, pipeline.planRole);
}

/**
 * The provider's role ARN as a Terraform expression of the phase. Every value in it is an
 * ARN built from names the topology rules checked ([A-Za-z0-9+=,.@_-]), so nothing a user
 * wrote can become part of the expression.
 */
export function phaseRoleArn(scope: Construct, account: Account, pipeline: Pipeline): string {
  phaseVariable(scope);
  const v = `var.${PHASE_VARIABLE}`;
  const plan = JSON.stringify(planRoleArn(account, pipeline));
  const deploy = JSON.stringify(account.deployRoleArn);
  return `\${${v} == "plan" || (${v} == "run-phase" && !terraform.applying) ? ${plan} : (${v} == "admin" ? "" : ${deploy})}`;
}

/**
 * The role ARNs a provider's phase expression ({@link phaseRoleArn}) chooses between, or
 * undefined when the value is not such an expression: lets checks of providers read both.
 */
export function phaseExpressionArns(value: string): string[] | undefined {
  if (!value.startsWith(`\${var.${PHASE_VARIABLE} == "plan"`)) return undefined;
  return [...value.matchAll(/"(arn:[^"]+)"/g)].map((m) => m[1]);
}
