// Placeholder so the target builds; replaced by the CMS stand-in.
enum CMSStubPlaceholder {}
