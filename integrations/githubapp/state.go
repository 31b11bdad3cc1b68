package githubapp

import (
	"context"
	"strconv"

	"github.com/slopguard/slopguard/moderation"
	"github.com/slopguard/slopguard/store"
)

// This file names everything the App keeps in the store besides decisions
// and feedback: setting keys, the kinds of message claim, the platform
// names of its jobs and delivery marks, and its leases. Nothing else in the
// package spells a key.

// Settings, scoped by repository ("owner/repo").
const (
	// installationSetting is the repository's installation ID, which the
	// enforce sweep needs; empty once the App was uninstalled from it.
	installationSetting = "github.installation"
	// policySetting is the repository's cached policy (cachedPolicy).
	policySetting = "github.policy"
	// overrideSetting, followed by an item ID, is a maintainer's decision
	// about the item (overrideHuman or overrideMachine), which later edits
	// do not undo.
	overrideSetting = "github.override/"
)

// A maintainer's decision about an item, as stored under overrideSetting
// and as the label of their feedback.
const (
	overrideHuman   = "human"   // "not slop": the item is never flagged again
	overrideMachine = "machine" // "confirm": the item stays flagged whatever it scores
)

// Kinds of message claim (store.OwnedMessage.Kind) about an item.
const (
	// claimCheckRun is the item's check run: "runID@headSHA".
	claimCheckRun = "check_run"
	// claimComment is the App's comment about the item (its sticky comment).
	claimComment = "comment"
	// claimAppeal is the first appeal of an item; its MessageID is the
	// appeal comment's ID, and it pings the maintainers once.
	claimAppeal = store.KindAppealClaim
)

// pendingClaim is the owned-message ID recorded while the App creates a
// comment or check run, before GitHub has answered with its ID.
const pendingClaim = "pending"

// jobPlatform is the platform name of the App's jobs in the store.
const jobPlatform = "github"

// redeliverPlatform is the delivery-mark platform remembering which
// deliveries were already asked for again.
const redeliverPlatform = "github-redelivery"

// Leases under which one replica at a time runs a sweep.
const (
	redeliverLease = "github sweep redeliver"
	enforceLease   = "github sweep enforce"
)

// claimKey is the claim of kind about t's item.
func claimKey(t target, kind string) store.OwnedMessage {
	return store.OwnedMessage{Platform: string(moderation.GitHub), Scope: t.scope(), ItemID: t.item.ID, Kind: kind}
}

// checkRunKey is the claim of t's check run.
func checkRunKey(t target) store.OwnedMessage { return claimKey(t, claimCheckRun) }

// stickyKey is the claim of the App's comment about t.
func stickyKey(t target) store.OwnedMessage { return claimKey(t, claimComment) }

// appealKey is the claim of t's first appeal, made by comment commandID.
func appealKey(t target, commandID int64) store.OwnedMessage {
	k := claimKey(t, claimAppeal)
	k.MessageID = strconv.FormatInt(commandID, 10)
	return k
}

// override returns a maintainer's earlier decision about an item
// (overrideHuman or overrideMachine), or "" when there is none or it
// cannot be read.
func (a *App) override(ctx context.Context, t target) string {
	v, err := a.reads.Setting(ctx, t.scope(), overrideSetting+t.item.ID)
	if err != nil {
		return ""
	}
	return string(v)
}
