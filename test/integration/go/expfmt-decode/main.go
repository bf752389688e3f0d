// expfmt-decode: Go's reading of an exposition, for comparing with promwire.
//
// Reads an exposition from stdin with prometheus/common's expfmt.NewDecoder
// and writes the families to stdout as one JSON array, each family in
// protojson's form of io.prometheus.client.MetricFamily (field names in
// lowerCamelCase, 64-bit integers as strings, NaN and ±Infinity as the
// strings "NaN", "Infinity", "-Infinity", unset fields left out, timestamps
// as RFC 3339 strings), in the order the decoder returns them.
//
//	-format proto (default)  delimited protobuf (FmtProtoDelim)
//	-format text             text 0.0.4 (FmtText); expfmt's text decoder
//	                         returns families in map order, so they are
//	                         sorted by name
//	-format openmetrics      OpenMetrics 1.0; expfmt has no OpenMetrics
//	                         parser and NewDecoder falls back to the text
//	                         parser for it (decode.go), as here
//	-legacy                  check names with the legacy (pre-UTF-8) rules
//	                         instead of UTF-8 validity
//
// Exit status 1 with the decoder's error on stderr when decoding fails.
//
// Built in GOPATH mode against Debian sid's golang-github-prometheus-common-dev
// by test/integration/helpers.ts goProgram('expfmt-decode').
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/encoding/protojson"
)

func main() {
	format := flag.String("format", "proto", "proto, text or openmetrics")
	legacy := flag.Bool("legacy", false, "legacy name validation instead of UTF-8")
	flag.Parse()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "expfmt-decode:", err)
		os.Exit(1)
	}
	var f expfmt.Format
	switch *format {
	case "proto":
		f = expfmt.NewFormat(expfmt.TypeProtoDelim)
	case "text":
		f = expfmt.NewFormat(expfmt.TypeTextPlain)
	case "openmetrics":
		f = expfmt.NewFormat(expfmt.TypeOpenMetrics)
	default:
		fail(fmt.Errorf("unknown -format %q", *format))
	}
	// NewDecoder checks names with UTF-8 validity when the format says
	// escaping=allow-utf-8 (model.NoEscaping), else with the legacy rules.
	if !*legacy {
		f = f.WithEscapingScheme(model.NoEscaping)
	}
	dec := expfmt.NewDecoder(bufio.NewReader(os.Stdin), f)
	var fams []*dto.MetricFamily
	for {
		mf := &dto.MetricFamily{}
		err := dec.Decode(mf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fail(fmt.Errorf("after %d families: %w", len(fams), err))
		}
		fams = append(fams, mf)
	}
	if *format != "proto" {
		sort.SliceStable(fams, func(i, j int) bool { return fams[i].GetName() < fams[j].GetName() })
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	opts := protojson.MarshalOptions{}
	out.WriteString("[")
	for i, mf := range fams {
		if i > 0 {
			out.WriteString(",\n")
		}
		b, err := opts.Marshal(mf)
		if err != nil {
			fail(err)
		}
		out.Write(b)
	}
	out.WriteString("]\n")
}
