// ESLint: the recommended and type-aware rules of typescript-eslint, with Prettier deciding layout.
// Floating promises and unsafe uses of `any` are errors: a policy that forgets to await, or reads an
// untyped value without checking it, is a security bug in a gate.

import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    {
        ignores: ["dist/", "node_modules/", "coverage/", "bench/results/", "tests/fixtures/", "**/*.js", "**/*.mjs"],
    },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: {
                project: ["./tsconfig.eslint.json"],
                tsconfigRootDir: import.meta.dirname,
            },
        },
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            "@typescript-eslint/consistent-type-imports": [
                "error",
                { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
            ],
            "max-len": ["error", { code: 120, tabWidth: 4, ignoreUrls: false, ignoreStrings: false }],
            eqeqeq: ["error", "always"],
            // An async method that implements a Promise-returning interface keeps `throw` a rejection.
            "@typescript-eslint/require-await": "off",
        },
    },
    {
        // Tests build malformed and arbitrary inputs on purpose, and read JSON fixtures with require.
        files: ["tests/**/*.ts"],
        rules: {
            "@typescript-eslint/no-require-imports": ["error", { allow: ["\\.json$"] }],
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-return": "off",
        },
    },
);
