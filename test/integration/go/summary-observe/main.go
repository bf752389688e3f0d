// summary-observe: client_golang's Summary as the reference for promwire's
// summary quantiles.
//
// Reads a JSON array of cases from stdin:
//
//	[{ "objectives": {"0.5": 0.05, ...}, "values": [1, 2.5, ...] }, ...]
//
// Each case's values are observed in order into a fresh Summary with those
// Objectives (MaxAge and AgeBuckets at their defaults: the values arrive
// well within one period), the registry is gathered, and one line of JSON per
// case is written to stdout: {"count": n, "sum": s, "quantiles": {"0.5": v, ...}}
// (non-finite values as the strings "NaN", "+Inf", "-Inf").
//
// Built in GOPATH mode against Debian sid's golang-github-prometheus-client-golang-dev
// by test/integration/helpers.ts goProgram('summary-observe').
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

type input struct {
	Objectives map[string]float64 `json:"objectives"`
	Values     []float64          `json:"values"`
}

func num(v float64) interface{} {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return v
}

func main() {
	var cases []input
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "summary-observe: reading cases:", err)
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, c := range cases {
		objectives := map[float64]float64{}
		for k, e := range c.Objectives {
			q, err := strconv.ParseFloat(k, 64)
			if err != nil {
				fmt.Fprintln(os.Stderr, "summary-observe: quantile", k, err)
				os.Exit(2)
			}
			objectives[q] = e
		}
		reg := prometheus.NewRegistry()
		s := prometheus.NewSummary(prometheus.SummaryOpts{Name: "s", Help: "reference", Objectives: objectives})
		reg.MustRegister(s)
		for _, v := range c.Values {
			s.Observe(v)
		}
		mfs, err := reg.Gather()
		if err != nil || len(mfs) != 1 {
			fmt.Fprintln(os.Stderr, "summary-observe: gather:", err)
			os.Exit(1)
		}
		m := mfs[0].GetMetric()[0].GetSummary()
		qs := map[string]interface{}{}
		for _, q := range m.GetQuantile() {
			qs[strconv.FormatFloat(q.GetQuantile(), 'g', -1, 64)] = num(q.GetValue())
		}
		if err := enc.Encode(map[string]interface{}{"count": m.GetSampleCount(), "sum": num(m.GetSampleSum()), "quantiles": qs}); err != nil {
			os.Exit(1)
		}
	}
}
