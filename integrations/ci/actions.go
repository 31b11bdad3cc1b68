package ci

// WriteActionsFiles writes what a GitHub Actions step shows besides its
// log: the step outputs to $GITHUB_OUTPUT (whatever the format) and, for
// FormatGitHub, the Markdown step summary to $GITHUB_STEP_SUMMARY. A
// variable that is unset (outside Actions) writes nothing.
func WriteActionsFiles(getenv func(string) string, f Format, r *Report) error {
	if p := getenv("GITHUB_OUTPUT"); p != "" {
		if err := WriteOutputs(p, r); err != nil {
			return err
		}
	}
	if p := getenv("GITHUB_STEP_SUMMARY"); p != "" && f == FormatGitHub {
		if err := WriteStepSummary(p, r); err != nil {
			return err
		}
	}
	return nil
}
