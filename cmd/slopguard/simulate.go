package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"net/http"
	"strings"

	"github.com/slopguard/slopguard/config"
	"github.com/slopguard/slopguard/detector"
	"github.com/slopguard/slopguard/integrations/githubapp"
	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store/sqlstore"
)

func runSimulate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "simulate")
	repoFlag := fs.String("repo", "", "repository `OWNER/NAME`")
	number := fs.Int("number", 0, "pull request or issue `N`")
	configPath := fs.String("config", "", "server config `FILE` (optional)")
	useStore := fs.Bool("store", false, "read the configured store (cached policy, earlier comments); never written")
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: slopguard simulate --repo OWNER/NAME --number N [--config FILE] [--json]")
		fmt.Fprintln(e.stderr, "\nAuthenticates with SLOPGUARD_GITHUB_TOKEN (or GITHUB_TOKEN), else as the configured App. Writes nothing.")
		fs.PrintDefaults()
	}
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	owner, repo, ok := strings.Cut(*repoFlag, "/")
	if !ok || owner == "" || repo == "" || *number <= 0 {
		return usageErrorf("--repo OWNER/NAME and --number N are required")
	}
	cfg, err := config.Load(*configPath, e.getenv)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	det, err := detector.Open(cfg.Detector.Model)
	if err != nil {
		return err
	}
	rt, err := githubapp.NewTransport(githubapp.TransportOptions{})
	if err != nil {
		return err
	}
	clients, err := simulateClients(ctx, e, cfg.GitHub, rt, owner, repo)
	if err != nil {
		return err
	}
	var st githubapp.PlanReader // nil: nothing remembered
	if *useStore {
		// Read-only: simulating never creates, migrates or writes the database.
		s, err := sqlstore.OpenReadOnly(ctx, cfg.Store.Driver, cfg.Store.DSN)
		if errors.Is(err, iofs.ErrNotExist) {
			return usageErrorf("--store: %v", err)
		}
		if err != nil {
			return fmt.Errorf("--store: %w", err)
		}
		defer s.Close()
		st = s
	}
	plan, err := githubapp.Simulate(ctx, githubapp.Options{
		Clients: clients, GraphQLURL: cfg.GitHub.GraphQL(),
		Checker: &moderation.Pipeline{Scorer: det}, ModelThreshold: det.Threshold(),
		DefaultPolicy: cfg.GitHub.Policy, PolicyPath: cfg.GitHub.PolicyPath,
	}, st, owner, repo, *number)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(plan)
	}
	printPlan(e.stdout, plan)
	return nil
}

// simulateClients authenticates with a token when one is set, else as the App
// installed on the repository.
func simulateClients(ctx context.Context, e *env, g config.GitHubConfig, rt http.RoundTripper, owner, repo string) (githubapp.ClientFactory, error) {
	token := e.getenv("SLOPGUARD_GITHUB_TOKEN")
	if token == "" {
		token = e.getenv("GITHUB_TOKEN")
	}
	if token != "" {
		c, err := githubapp.NewRESTClient(githubapp.TokenTransport{Token: token, Next: rt}, g.APIURL)
		if err != nil {
			return nil, err
		}
		return githubapp.StaticClients{Client: c}, nil
	}
	if !g.Enabled {
		return nil, usageErrorf("set SLOPGUARD_GITHUB_TOKEN (or GITHUB_TOKEN), or the App's SLOPGUARD_GITHUB_APP_ID and private key")
	}
	apps, err := githubapp.NewAppClients(g.AppID, []byte(g.PrivateKey), g.APIURL, rt)
	if err != nil {
		return nil, err
	}
	jwt, err := apps.App()
	if err != nil {
		return nil, err
	}
	inst, _, err := jwt.Apps.FindRepositoryInstallation(ctx, owner, repo)
	if err != nil {
		return nil, fmt.Errorf("find the App's installation on %s/%s: %w", owner, repo, err)
	}
	c, err := apps.Installation(ctx, inst.GetID())
	if err != nil {
		return nil, err
	}
	return githubapp.StaticClients{Client: c}, nil
}

func printPlan(w io.Writer, p githubapp.Plan) {
	fmt.Fprintf(w, "item:     %s %s\n", p.Item.ID, p.Item.URL)
	fmt.Fprintf(w, "author:   %s (%s)\n", p.Item.Author, p.Item.AuthorAssociation)
	fmt.Fprintf(w, "policy:   %s\n", p.PolicySource)
	if p.PolicyError != "" {
		fmt.Fprintf(w, "invalid policy, a failing check run would say:\n  %s\n", strings.ReplaceAll(p.PolicyError, "\n", "\n  "))
		return
	}
	fmt.Fprintf(w, "mode:     %s\n", p.Mode)
	if p.Skipped != "" {
		fmt.Fprintf(w, "skipped:  %s\n", p.Skipped)
		return
	}
	v := p.Verdict
	fmt.Fprintf(w, "score:    %.3f (%s; flagged at %.3f) model %s\n", v.Score, v.Verdict, p.Threshold, v.ModelVersion)
	fmt.Fprintf(w, "flagged:  %v (enforce level: %v)\n", p.Flagged, p.Enforce)
	if p.Rule != "" {
		fmt.Fprintf(w, "rule:     %s: %s\n", p.Rule, p.Why)
	}
	if d := v.Disclosure; d != nil {
		for _, m := range d.Marks {
			fmt.Fprintf(w, "  disclosure: %s, %s in %s: %s\n", m.Agent, m.Describe(), m.Where, m.Quote)
		}
	}
	for _, r := range v.Reasons {
		fmt.Fprintf(w, "  reason: %s (%+.2f)\n", r.Text, r.Weight)
	}
	if len(p.Actions) == 0 {
		fmt.Fprintln(w, "would do: nothing on GitHub")
		return
	}
	fmt.Fprintln(w, "would do:")
	for _, a := range p.Actions {
		fmt.Fprintf(w, "  - %s %s\n", a.Kind, a.Detail)
	}
}
