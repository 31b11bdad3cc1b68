package githubapp

import (
	"strings"

	"github.com/google/go-github/v60/github"
)

// accountAllowed reports whether a parsed delivery belongs to an account in
// Options.AllowedAccounts (always, when the list is empty), and the account
// it found: the installation's account, else the repository's owner, else
// the organization. A delivery naming no account is not allowed when a list
// is set.
func (a *App) accountAllowed(payload any) (string, bool) {
	if len(a.opt.AllowedAccounts) == 0 {
		return "", true
	}
	account := deliveryAccount(payload)
	if account == "" {
		return "", false
	}
	for _, allowed := range a.opt.AllowedAccounts {
		if strings.EqualFold(allowed, account) {
			return account, true
		}
	}
	return account, false
}

// deliveryAccount is the login of the account a webhook payload is for.
func deliveryAccount(payload any) string {
	if e, ok := payload.(interface{ GetInstallation() *github.Installation }); ok {
		if login := e.GetInstallation().GetAccount().GetLogin(); login != "" {
			return login
		}
	}
	if e, ok := payload.(interface{ GetRepo() *github.Repository }); ok {
		if login := e.GetRepo().GetOwner().GetLogin(); login != "" {
			return login
		}
	}
	if e, ok := payload.(interface {
		GetRepo() *github.PushEventRepository
	}); ok {
		if login := e.GetRepo().GetOwner().GetLogin(); login != "" {
			return login
		}
	}
	if e, ok := payload.(interface{ GetOrg() *github.Organization }); ok {
		return e.GetOrg().GetLogin()
	}
	return ""
}
