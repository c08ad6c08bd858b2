// Image globs: which images a signature or provenance requirement covers. The globs and their
// semantics (normalised repository names, `*` within a segment, `**` across) live with the image
// reference parser in src/references, where the framework's image exemptions use them too; this
// module re-exports them for the supply-chain code.

export { type ImageGlob, compileImageGlob, globMatch, imageGlobMatches, matchableName } from "../references/image-glob";
