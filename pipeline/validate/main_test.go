package validate_test

import "flag"

func flagUpdate() *bool {
	return flag.Bool("update", false, "rewrite the want.json files of testdata/rules")
}
