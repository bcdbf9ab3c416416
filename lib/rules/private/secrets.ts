/**
 * References to attributes that hold secrets: storage account keys and
 * connection strings, registry admin passwords, Application Insights keys,
 * Key Vault secret values and the sensitive output of an azapi action.
 */
const SECRET_REFERENCE = new RegExp(
  [
    String.raw`\$\{(data\.)?azurerm_storage_account\.[^.}]+\.(primary|secondary)_(access_key|connection_string|blob_connection_string)`,
    String.raw`\$\{(data\.)?azurerm_container_registry\.[^.}]+\.admin_password`,
    String.raw`\$\{(data\.)?azurerm_application_insights\.[^.}]+\.(instrumentation_key|connection_string)`,
    String.raw`\$\{(data\.)?azurerm_key_vault_secret\.[^.}]+\.value`,
    String.raw`\$\{azapi_resource_action\.[^.}]+\.sensitive_output`,
  ].join('|'),
);

/** Names under which people put secrets. */
const SECRET_NAME =
  /(PASSWORD|PASSWD|SECRET|API_?KEY|ACCESS_?KEY|ACCOUNT_?KEY|PRIVATE_?KEY|CONNECTION_?STRING|SAS_?TOKEN)/i;

/** Values shaped like a secret: connection strings, SAS signatures, PEM keys. */
const SECRET_VALUE =
  /AccountKey=|SharedAccessSignature=|[?&]sig=|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** The first secret reference in a resolved value, if any. */
export function secretReference(resolved: unknown): string | undefined {
  const text =
    typeof resolved === 'string' ? resolved : JSON.stringify(resolved ?? null);
  return SECRET_REFERENCE.exec(text)?.[0].slice(2);
}

/** True when a name suggests it holds a secret. */
export function looksLikeSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** True when a literal value is shaped like a secret. */
export function looksLikeSecretValue(value: string): boolean {
  return SECRET_VALUE.test(value);
}
