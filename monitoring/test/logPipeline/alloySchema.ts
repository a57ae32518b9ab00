/** What the reference of one Alloy component allows: its arguments, and its blocks by dotted path (`endpoint.tls_config`). */
export interface AlloyComponentSchema {
  arguments: Record<string, { required: boolean }>;
  blocks: Record<string, { required: boolean; arguments: Record<string, { required: boolean }> }>;
  /** The fields other components read (`local.file_match.<label>.targets`). */
  exports: string[];
}

export interface AlloySchema {
  components: Record<string, AlloyComponentSchema>;
  /** Standard library functions and constants (`sys.env`, `coalesce`, `constants.hostname`). */
  stdlib: string[];
  /** The flags `alloy run` accepts. */
  runFlags: string[];
}
