// snappy-decode: golang/snappy's reading (and writing) of snappy blocks, for
// judging promwire's snappy codec by the library Prometheus 3.5 decodes
// remote-write bodies with (storage/remote codec.go, client.go).
//
// Reads records from stdin, each a little-endian uint32 length and that many
// bytes, and writes one line per record to stdout:
//
//	ok HEX     the block decoded to these bytes (HEX empty for none)
//	err TEXT   snappy.Decode refused it, or (without calling it) the block
//	           declares more bytes than its elements could write
//
// snappy.Decode allocates the declared length before it decodes, up to
// 4 GiB for a few bytes of input; a block declaring more than 64 bytes per
// input byte (no element writes more than 64 bytes: format_description.txt
// 2.2.2) cannot decode and is refused here without that allocation.
//
// With -encode, each record is data to compress, and the line is
// "ok HEX" of snappy.Encode's block.
//
// Built in GOPATH mode against Debian sid's golang-github-golang-snappy-dev by
// test/integration/helpers.ts goProgram('snappy-decode').
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/golang/snappy"
)

func main() {
	encode := flag.Bool("encode", false, "compress each record instead of decompressing it")
	flag.Parse()
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	var head [4]byte
	for {
		if _, err := io.ReadFull(in, head[:]); err == io.EOF {
			return
		} else if err != nil {
			fmt.Fprintln(os.Stderr, "snappy-decode: reading a record length:", err)
			os.Exit(1)
		}
		rec := make([]byte, binary.LittleEndian.Uint32(head[:]))
		if _, err := io.ReadFull(in, rec); err != nil {
			fmt.Fprintln(os.Stderr, "snappy-decode: reading a record:", err)
			os.Exit(1)
		}
		if *encode {
			fmt.Fprintf(out, "ok %s\n", hex.EncodeToString(snappy.Encode(nil, rec)))
			continue
		}
		if n, err := snappy.DecodedLen(rec); err == nil && n > 64*len(rec) {
			fmt.Fprintf(out, "err declares %d bytes, more than %d input bytes can write\n", n, len(rec))
			continue
		}
		dec, err := snappy.Decode(nil, rec)
		if err != nil {
			fmt.Fprintf(out, "err %s\n", err)
			continue
		}
		fmt.Fprintf(out, "ok %s\n", hex.EncodeToString(dec))
	}
}
