/**
 * VM sizes managed online deployments accept, with their cores and whether
 * Azure ML skips the 20% upgrade reserve for them.
 * @see https://learn.microsoft.com/azure/machine-learning/reference-managed-online-endpoints-vm-sku-list
 */
export interface InstanceTypeInfo {
  /** The size as the SKU list spells it (upper case). */
  readonly name: string;
  readonly cores: number;
  readonly gpu: boolean;
  /** Azure ML reserves no extra 20% of quota for this size. */
  readonly skipsUpgradeReserve: boolean;
}

/** `[sizes, cores each]` per family; the order of the SKU list. */
const CPU: Array<[string, number[]]> = [
  ['STANDARD_D{}AS_V4', [2, 4, 8, 16, 32, 48, 64, 96]],
  ['STANDARD_D{}A_V4', [2, 4, 8, 16, 32, 48, 64, 96]],
  ['STANDARD_E{}S_V3', [2, 4, 8, 16, 32, 48, 64]],
  ['STANDARD_F{}S_V2', [2, 4, 8, 16, 32, 48, 64, 72]],
  ['STANDARD_FX{}MDS', [4, 12, 24, 36, 48]],
  ['STANDARD_L{}AS_V3', [8, 16, 32, 48, 64, 80]],
  ['STANDARD_L{}S_V2', [8, 16, 32, 48, 64, 80]],
  ['STANDARD_L{}S_V3', [8, 16, 32, 48, 64, 80]],
];

/** DSv2 sizes are numbered, not named by their cores. */
const DS_V2: Array<[string, number]> = [
  ['STANDARD_DS1_V2', 1],
  ['STANDARD_DS2_V2', 2],
  ['STANDARD_DS3_V2', 4],
  ['STANDARD_DS4_V2', 8],
  ['STANDARD_DS5_V2', 16],
];

/** `[size, cores, skips the 20% reserve]`. */
const GPU: Array<[string, number, boolean]> = [
  ['STANDARD_NC24ADS_A100_V4', 24, true],
  ['STANDARD_NC48ADS_A100_V4', 48, true],
  ['STANDARD_NC96ADS_A100_V4', 96, true],
  ['STANDARD_NC4AS_T4_V3', 4, false],
  ['STANDARD_NC8AS_T4_V3', 8, false],
  ['STANDARD_NC16AS_T4_V3', 16, false],
  ['STANDARD_NC64AS_T4_V3', 64, false],
  ['STANDARD_NC6S_V2', 6, false],
  ['STANDARD_NC12S_V2', 12, false],
  ['STANDARD_NC24S_V2', 24, false],
  ['STANDARD_NC6S_V3', 6, false],
  ['STANDARD_NC12S_V3', 12, false],
  ['STANDARD_NC24S_V3', 24, false],
  ['STANDARD_NC40ADS_H100_V5', 40, true],
  ['STANDARD_NC80ADIS_H100_V5', 80, true],
  ['STANDARD_ND96AMSR_A100_V4', 96, true],
  ['STANDARD_ND96ASR_V4', 96, true],
  ['STANDARD_ND40RS_V2', 40, true],
  ['STANDARD_ND96IS_H100_V5', 96, true],
  ['STANDARD_ND96ISR_H100_V5', 96, true],
  ['STANDARD_NV6ADS_A10_V5', 6, false],
  ['STANDARD_NV12ADS_A10_V5', 12, false],
  ['STANDARD_NV18ADS_A10_V5', 18, false],
  ['STANDARD_NV36ADS_A10_V5', 36, false],
  ['STANDARD_NV36ADMS_A10_V5', 36, false],
  ['STANDARD_NV72ADS_A10_V5', 72, false],
];

const TABLE = new Map<string, InstanceTypeInfo>();
for (const [pattern, sizes] of CPU) {
  for (const cores of sizes) {
    const name = pattern.replace('{}', String(cores));
    TABLE.set(name, { name, cores, gpu: false, skipsUpgradeReserve: false });
  }
}
for (const [name, cores] of DS_V2)
  TABLE.set(name, { name, cores, gpu: false, skipsUpgradeReserve: false });
for (const [name, cores, skip] of GPU)
  TABLE.set(name, { name, cores, gpu: true, skipsUpgradeReserve: skip });

/** The size's entry in the SKU list (case-insensitive), if it is there. */
export function instanceTypeInfo(
  instanceType: string,
): InstanceTypeInfo | undefined {
  return TABLE.get(instanceType.toUpperCase());
}

/** Every size in the SKU list, upper case. */
export function knownInstanceTypes(): string[] {
  return [...TABLE.keys()];
}

/**
 * Cores of quota a deployment needs: `ceil(1.2 * count) * cores`, or
 * `count * cores` for sizes exempt from the upgrade reserve.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#virtual-machine-quota-allocation-for-deployment
 */
export function reservedCores(
  info: InstanceTypeInfo,
  instanceCount: number,
): number {
  const instances = info.skipsUpgradeReserve
    ? instanceCount
    : Math.ceil((12 * instanceCount) / 10);
  return instances * info.cores;
}
