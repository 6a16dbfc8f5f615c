package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"grantpipe/pipeline/accounts"
	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/store"
)

const usersUsage = "usage: grantpipe users add --login NAME (--district AGS | --role analyst | --role admin) [--password-stdin]\n" +
	"       grantpipe users list [--json] | disable --login NAME | enable --login NAME | reset --login NAME [--password-stdin] | token --login NAME"

func runUsers(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return usageError{usersUsage}
	}
	sub := args[0]
	fs := a.flags("users "+sub, true)
	login := fs.String("login", "", "the account's login `name`")
	var district, role *string
	var fromStdin, asJSON *bool
	switch sub {
	case "add":
		district = fs.String("district", "", "a district account for the district with this `AGS`")
		role = fs.String("role", "", "analyst or admin: a ministry account")
		fallthrough
	case "reset":
		fromStdin = fs.Bool("password-stdin", false, "read the password from standard input (else a one-time password is made and printed)")
	case "list":
		asJSON = fs.Bool("json", false, "print the accounts as JSON")
	case "disable", "enable", "token":
	default:
		return usageError{usersUsage}
	}
	if err := a.parse(fs, args[1:]); err != nil {
		return err
	}
	if sub != "list" && *login == "" {
		return usageError{"--login is needed"}
	}
	if sub == "list" {
		return a.listUsers(ctx, *asJSON)
	}
	password := ""
	if fromStdin != nil && *fromStdin {
		var err error
		if password, err = readPassword(a.stdin); err != nil {
			return err
		}
	}
	if err := a.lockData("grantpipe users " + sub); err != nil {
		return err
	}
	svc, st, err := a.accounts(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	args2 := messages.Args{"login": *login}
	var secret string
	switch sub {
	case "add":
		r := *role
		if *district != "" && r == "" {
			r = accounts.RoleDistrict
		}
		if r == "" {
			return usageError{"need --district AGS, --role analyst or --role admin"}
		}
		u, oneTime, err := svc.Add(ctx, *login, r, *district, password)
		if err != nil {
			return err
		}
		args2 = messages.Args{"login": u.Login, "role": strings.TrimSpace(u.Role + " " + u.District)}
		fmt.Fprintln(a.stderr, cat.Text(a.lang, "cli.users_added", args2))
		if secret = oneTime; secret != "" {
			fmt.Fprintln(a.stderr, cat.Text(a.lang, "cli.users_one_time", args2))
		}
	case "disable":
		if err := svc.Disable(ctx, *login); err != nil {
			return err
		}
		fmt.Fprintln(a.stderr, cat.Text(a.lang, "cli.users_disabled", args2))
	case "enable":
		if secret, err = svc.Enable(ctx, *login); err != nil {
			return err
		}
		fmt.Fprintln(a.stderr, cat.Text(a.lang, "cli.users_enabled", args2))
		fmt.Fprintln(a.stderr, cat.Text(a.lang, "cli.users_one_time", args2))
	case "reset":
		if secret, err = svc.Reset(ctx, *login, password); err != nil {
			return err
		}
		if secret != "" {
			fmt.Fprintln(a.stderr, cat.Text(a.lang, "cli.users_one_time", args2))
		} else {
			fmt.Fprintln(a.stderr, cat.Text(a.lang, "cli.users_reset", args2))
		}
	case "token":
		if secret, err = svc.NewToken(ctx, *login); err != nil {
			return err
		}
		fmt.Fprintln(a.stderr, cat.Text(a.lang, "cli.users_token", args2))
	}
	if secret != "" {
		fmt.Fprintln(a.stdout, secret)
	}
	return nil
}

// accounts opens the database for writing and returns its accounts.
func (a *app) accounts(ctx context.Context) (*accounts.Service, *store.Store, error) {
	p, err := a.programme()
	if err != nil {
		return nil, nil, err
	}
	pl, err := a.pipeline("")
	if err != nil {
		return nil, nil, err
	}
	st, err := pl.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	return accounts.New(st, a.now, p.AllDistricts()), st, nil
}

// listUsers prints the accounts; like status, it reads beside a running
// server (which holds the data directory).
func (a *app) listUsers(ctx context.Context, asJSON bool) error {
	p, err := a.programme()
	if err != nil {
		return err
	}
	pl, err := a.pipeline("")
	if err != nil {
		return err
	}
	st, _, release, err := pl.OpenForStatus(ctx, "grantpipe users list")
	if err != nil {
		return err
	}
	defer release()
	defer st.Close()
	us, err := accounts.New(st, a.now, p.AllDistricts()).List(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(append([]accounts.User{}, us...))
	}
	cat, err := a.catalog()
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, cat.Text(a.lang, "cli.users_header", nil))
	for _, u := range us {
		state := "cli.users_active"
		switch {
		case u.Disabled:
			state = "cli.users_disabled_state"
		case u.OneTime:
			state = "cli.users_must_change"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", clean(u.Login), u.Role, u.District, cat.Text(a.lang, state, nil),
			u.PasswordSet.In(pl.Location()).Format("2006-01-02 15:04"))
	}
	return w.Flush()
}

// readPassword reads one line from r (a pipe or a file): the password,
// without its line ending.
func readPassword(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("no standard input to read the password from")
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", usageError{"--password-stdin: standard input holds no password"}
	}
	return line, nil
}
