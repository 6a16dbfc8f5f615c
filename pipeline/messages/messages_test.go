package messages_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"grantpipe/pipeline/messages"
	"grantpipe/pipeline/money"
	"grantpipe/templates"
)

func TestTheCatalogueLoadsWithBothLanguagesForEveryKey(t *testing.T) {
	cat, err := messages.Load(templates.FS, "messages.toml")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cat.Keys()); n < 40 {
		t.Errorf("only %d keys", n)
	}
}

func TestLoadRejectsAnIncompleteTranslation(t *testing.T) {
	cases := map[string]string{
		"a language missing":     "[a.b]\nde = \"Text\"\n",
		"a placeholder dropped":  "[a.b]\nde = \"Betrag {amount}\"\nen = \"Amount\"\n",
		"a placeholder renamed":  "[a.b]\nde = \"Betrag {amount}\"\nen = \"Amount {sum}\"\n",
		"a text that is no text": "[a.b]\nde = 1\nen = \"x\"\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := messages.Load(fstest.MapFS{"m.toml": {Data: []byte(src)}}, "m.toml")
			if err == nil || !strings.Contains(err.Error(), "a.b") {
				t.Errorf("error %v, want one naming a.b", err)
			}
		})
	}
}

func TestTextFillsPlaceholdersPerLanguage(t *testing.T) {
	cat, err := messages.Load(fstest.MapFS{"m.toml": {Data: []byte(
		"[x]\nde = \"{value} ergibt {rounded}\"\nen = \"{value} gives {rounded}\"\n")}}, "m.toml")
	if err != nil {
		t.Fatal(err)
	}
	args := messages.Args{"value": messages.Decimal("86.125"), "rounded": money.Cents(8613)}
	if got := cat.Text("de", "x", args); got != "86,125 ergibt 86,13 €" {
		t.Errorf("de: %q", got)
	}
	if got := cat.Text("en", "x", args); got != "86.125 gives EUR 86.13" {
		t.Errorf("en: %q", got)
	}
	if got := cat.Text("fr", "x", args); got != "86,125 ergibt 86,13 €" {
		t.Errorf("an unknown language falls back to German: %q", got)
	}
}
