// Command etcd is the etcd server of the release pinned in go.mod, built from its Go
// module because release binaries cannot be downloaded on our machines.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
