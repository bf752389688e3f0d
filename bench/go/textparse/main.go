// textparse: Prometheus 3.5's own exposition parsers over a payload file, for
// the "Prometheus 3.5 textparse" rows of `npm run bench` (bench/textparse.ts).
//
//	textparse -format text|openmetrics|protobuf -n N FILE
//
// Reads FILE once, parses it once to count what it holds, then N more times
// and prints one JSON line:
//
//	{"series":S,"histograms":H,"cpuNsPerParse":C,"allocBytesPerParse":A}
//
// What one parse is, as the parsers' own BenchmarkParse does it
// (model/textparse/benchmark_test.go benchParse) and as the scrape loop uses
// them (scrape/scrape.go append): Next() over every entry and, for every
// series or native histogram, Series()/Histogram() and Labels() into a reused
// labels.Labels (Labels() builds the label set: the name and every label name
// and value copied into one string, as Prometheus' default stringlabels
// build does). Help, Type and Unit are read as well. The OpenMetrics parser
// runs without WithOMParserCTSeriesSkipped, so that it returns every sample
// line (_created included), as promwire's pull walk does; the protobuf
// parser runs with parseClassicHistograms off, Prometheus 3.5's scrape
// default.
//
// CPU time is the process's (user + system, getrusage RUSAGE_SELF), so the
// garbage collector's background workers count, as V8's helper threads do in
// the JavaScript rows (process.cpuUsage()). A parse error exits 1 with the
// error on stderr.
//
// Built in GOPATH mode with Debian sid's Go 1.26 against
// golang-github-prometheus-prometheus-dev 3.5.3 (.ci/sid-tools.sh).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"syscall"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
)

type result struct {
	Series             int     `json:"series"`
	Histograms         int     `json:"histograms"`
	CPUNsPerParse      float64 `json:"cpuNsPerParse"`
	AllocBytesPerParse float64 `json:"allocBytesPerParse"`
}

func cpuNs() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func newParser(format string, b []byte, st *labels.SymbolTable) textparse.Parser {
	switch format {
	case "text":
		return textparse.NewPromParser(b, st, false)
	case "openmetrics":
		return textparse.NewOpenMetricsParser(b, st)
	case "protobuf":
		return textparse.NewProtobufParser(b, false, false, st)
	}
	panic("unknown format " + format)
}

// parseOnce walks every entry and builds every label set; returns the series
// and native histograms met.
func parseOnce(format string, b []byte, st *labels.SymbolTable, res *labels.Labels) (series, histograms int, err error) {
	p := newParser(format, b, st)
	for {
		t, err := p.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return series, histograms, nil
			}
			return series, histograms, err
		}
		switch t {
		case textparse.EntryType:
			_, _ = p.Type()
		case textparse.EntryHelp:
			_, _ = p.Help()
		case textparse.EntryUnit:
			_, _ = p.Unit()
		case textparse.EntrySeries:
			_, _, _ = p.Series()
			p.Labels(res)
			series++
		case textparse.EntryHistogram:
			_, _, _, _ = p.Histogram()
			p.Labels(res)
			histograms++
		}
	}
}

func main() {
	format := flag.String("format", "text", "text, openmetrics or protobuf")
	n := flag.Int("n", 10, "timed parses")
	flag.Parse()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "textparse:", err)
		os.Exit(1)
	}
	if flag.NArg() != 1 {
		fail(errors.New("usage: textparse -format text|openmetrics|protobuf -n N FILE"))
	}
	b, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	var res labels.Labels
	// One symbol table for every parse, as benchParse does (the scrape loop
	// keeps one per target).
	st := labels.NewSymbolTable()
	series, histograms, err := parseOnce(*format, b, st, &res)
	if err != nil {
		fail(err)
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0 := cpuNs()
	for i := 0; i < *n; i++ {
		if _, _, err := parseOnce(*format, b, st, &res); err != nil {
			fail(err)
		}
	}
	c1 := cpuNs()
	runtime.ReadMemStats(&m1)
	out, _ := json.Marshal(result{
		Series:             series,
		Histograms:         histograms,
		CPUNsPerParse:      float64(c1-c0) / float64(*n),
		AllocBytesPerParse: float64(m1.TotalAlloc-m0.TotalAlloc) / float64(*n),
	})
	fmt.Println(string(out))
}
