// Package moderation holds the platform-neutral domain of slopguard: the
// Item a platform asks about, the Verdict the detector gives, the moderation
// Mode a scope runs in, and the Pipeline that turns one into the other.
//
// Integrations translate their platform's types into Items at the edge and
// act on Verdicts; nothing here imports a platform SDK.
//
// Provenance is decided here too, so every surface agrees: Judge reads the
// agents' marks (package disclosure) into the verdict, and Policy.Decide
// applies a repository's rules (honeypot, disclosed, require_disclosure,
// then the score) and says which one fired.
package moderation
