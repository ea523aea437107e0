/** Placeholder entry point; this package grows in later issues. */
export const PACKAGE_NAME = '@outpost/cloud-hub';
