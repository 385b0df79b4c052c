/** One provider setting: its stack config key, its environment variable, an example value. */
export interface SettingSpec {
  key: string;
  env: string;
  secret?: boolean;
  example: string;
}
