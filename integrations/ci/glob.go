package ci

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// hasMeta reports whether a path contains glob metacharacters.
func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// Glob expands a pattern into the regular files it matches, sorted, with
// slash-separated paths relative to dir (or absolute for an absolute pattern).
// Besides path.Match syntax within one path element, a "**" element matches
// zero or more directories, so "docs/**/*.md" matches docs/a.md and
// docs/x/y/b.md. .git directories are never entered. A pattern without
// metacharacters, or one that names an existing file or directory (such as
// "routes/[slug]/page.md"), is returned as is, for the caller to read (and
// fail on).
func Glob(dir, pattern string) ([]string, error) {
	pattern = filepath.ToSlash(pattern)
	if !hasMeta(pattern) {
		return []string{pattern}, nil
	}
	full := filepath.FromSlash(pattern)
	if dir != "" && !filepath.IsAbs(full) {
		full = filepath.Join(dir, full)
	}
	if _, err := os.Lstat(full); err == nil {
		return []string{pattern}, nil
	}
	segs := strings.Split(pattern, "/")
	for _, s := range segs {
		if _, err := path.Match(s, ""); err != nil {
			return nil, fmt.Errorf("glob %q: %w", pattern, err)
		}
	}
	// The literal leading elements name the directory to walk.
	n := 0
	for n < len(segs)-1 && !hasMeta(segs[n]) {
		n++
	}
	base := strings.Join(segs[:n], "/")
	if n > 0 && base == "" {
		base = "/"
	}
	root := filepath.FromSlash(base)
	if dir != "" && !filepath.IsAbs(root) {
		root = filepath.Join(dir, root)
	}
	if root == "" {
		root = "."
	}
	rest := segs[n:]
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return fs.SkipAll // a missing base directory matches nothing
			}
			return nil // an unreadable subdirectory is skipped, not fatal
		}
		if d.IsDir() {
			if d.Name() == ".git" && p != root {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		if matchSegments(rest, strings.Split(filepath.ToSlash(rel), "/")) {
			out = append(out, path.Join(base, filepath.ToSlash(rel)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("glob %q: %w", pattern, err)
	}
	return out, nil
}

// matchSegments matches path elements against pattern elements, "**" standing
// for any number of elements.
func matchSegments(pat, name []string) bool {
	if len(pat) == 0 {
		return len(name) == 0
	}
	if pat[0] == "**" {
		if matchSegments(pat[1:], name) {
			return true
		}
		return len(name) > 0 && matchSegments(pat, name[1:])
	}
	if len(name) == 0 {
		return false
	}
	ok, _ := path.Match(pat[0], name[0])
	return ok && matchSegments(pat[1:], name[1:])
}
