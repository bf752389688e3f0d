// nh-observe: the client_golang reference for promwire's native histograms.
//
// Reads a case (or a JSON array of cases) from stdin:
//
//	{ "name"?: "nh", "help"?: "...", "labels"?: {"k": "v"},
//	  "buckets"?: [classic upper bounds], "bucketFactor": 1.1,
//	  "zeroThreshold"?: n, "maxZeroThreshold"?: n, "maxBuckets"?: n,
//	  "minResetDuration"?: milliseconds, "sleepMs"?: milliseconds,
//	  "values": [1, -2.5, "NaN", "+Inf", "-Inf", ...],
//	  "exemplars"?: [{"value": 0.5, "labels": {"trace_id": "a"}}, ...] }
//
// Each number is passed to the HistogramOpts field of the same meaning
// (NativeHistogramBucketFactor, NativeHistogramZeroThreshold,
// NativeHistogramMaxZeroThreshold, NativeHistogramMaxBucketNumber,
// NativeHistogramMinResetDuration, Buckets), exactly as given: 0 or absent is
// client_golang's own default. sleepMs is slept between creating the
// histogram (and its series) and the first observation, so that
// minResetDuration can have passed. After the values, each exemplar is
// observed with ObserveWithExemplar (client_golang keeps up to 10 for the
// native histogram, and one per classic bucket). The values are observed in order into a
// Histogram (a HistogramVec when labels are given) in a fresh registry, and
// the registry is written to stdout:
//
//	-format proto (default)  the delimited protobuf exposition (expfmt FmtProtoDelim)
//	-format text|openmetrics expfmt's text 0.0.4 / OpenMetrics 1.0 encoders
//	-format json             {"histogram": <dump of the dto.Histogram>,
//	                          "protobuf": <base64 of the proto exposition>}
//
// With an array on stdin, -format json writes an array of those, one per case
// (one process for many cases); the other formats need a single case.
//
// The dump spells the dto.Histogram's fields, null when the field is unset:
// sampleCount, sampleCountFloat, sampleSum, schema, zeroThreshold, zeroCount,
// zeroCountFloat, positiveSpans/negativeSpans [{offset, length}],
// positiveDeltas/negativeDeltas, positiveCounts/negativeCounts, buckets
// [{upperBound, cumulativeCount, exemplar?}], exemplars [{labels, value,
// timestampMs}], createdTimestampMs (timestamps in whole milliseconds,
// UnixMilli). Floats that JSON cannot
// hold are written as the strings "NaN", "+Inf", "-Inf".
//
// Built in GOPATH mode against Debian sid's golang-github-prometheus-client-golang-dev
// by test/integration/helpers.ts goProgram('nh-observe').
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// num is a float64 read from a JSON number or from "NaN", "+Inf", "-Inf".
type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		switch s {
		case "NaN":
			*n = num(math.NaN())
		case "+Inf", "Inf":
			*n = num(math.Inf(1))
		case "-Inf":
			*n = num(math.Inf(-1))
		default:
			return fmt.Errorf("not a number: %q", s)
		}
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = num(f)
	return nil
}

type input struct {
	Name             string            `json:"name"`
	Help             string            `json:"help"`
	Labels           map[string]string `json:"labels"`
	Buckets          []float64         `json:"buckets"`
	BucketFactor     float64           `json:"bucketFactor"`
	ZeroThreshold    float64           `json:"zeroThreshold"`
	MaxZeroThreshold float64           `json:"maxZeroThreshold"`
	MaxBuckets       uint32            `json:"maxBuckets"`
	MinResetDuration float64           `json:"minResetDuration"`
	SleepMs          float64           `json:"sleepMs"`
	Exemplars        []struct {
		Value  num               `json:"value"`
		Labels map[string]string `json:"labels"`
	} `json:"exemplars"`
	Values []num `json:"values"`
}

// jfloat writes non-finite floats as strings.
type jfloat float64

func (f jfloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return json.Marshal(v)
}

type span struct {
	Offset int32  `json:"offset"`
	Length uint32 `json:"length"`
}

type exemplar struct {
	Labels      map[string]string `json:"labels"`
	Value       jfloat            `json:"value"`
	TimestampMs *int64            `json:"timestampMs"`
}

func exemplarOf(e *dto.Exemplar) *exemplar {
	if e == nil {
		return nil
	}
	out := &exemplar{Labels: map[string]string{}, Value: jfloat(e.GetValue())}
	for _, l := range e.GetLabel() {
		out.Labels[l.GetName()] = l.GetValue()
	}
	if e.Timestamp != nil {
		ms := e.Timestamp.AsTime().UnixMilli()
		out.TimestampMs = &ms
	}
	return out
}

type bucket struct {
	UpperBound      jfloat    `json:"upperBound"`
	CumulativeCount uint64    `json:"cumulativeCount"`
	Exemplar        *exemplar `json:"exemplar,omitempty"`
}

type dump struct {
	SampleCount        *uint64    `json:"sampleCount"`
	SampleCountFloat   *jfloat    `json:"sampleCountFloat"`
	SampleSum          *jfloat    `json:"sampleSum"`
	Schema             *int32     `json:"schema"`
	ZeroThreshold      *jfloat    `json:"zeroThreshold"`
	ZeroCount          *uint64    `json:"zeroCount"`
	ZeroCountFloat     *jfloat    `json:"zeroCountFloat"`
	PositiveSpans      []span     `json:"positiveSpans"`
	PositiveDeltas     []int64    `json:"positiveDeltas"`
	PositiveCounts     []jfloat   `json:"positiveCounts"`
	NegativeSpans      []span     `json:"negativeSpans"`
	NegativeDeltas     []int64    `json:"negativeDeltas"`
	NegativeCounts     []jfloat   `json:"negativeCounts"`
	Buckets            []bucket   `json:"buckets"`
	Exemplars          []exemplar `json:"exemplars"`
	CreatedTimestampMs *int64     `json:"createdTimestampMs"`
}

func fptr(p *float64) *jfloat {
	if p == nil {
		return nil
	}
	v := jfloat(*p)
	return &v
}

func spans(in []*dto.BucketSpan) []span {
	out := []span{}
	for _, s := range in {
		out = append(out, span{Offset: s.GetOffset(), Length: s.GetLength()})
	}
	return out
}

func floats(in []float64) []jfloat {
	out := []jfloat{}
	for _, f := range in {
		out = append(out, jfloat(f))
	}
	return out
}

func ints(in []int64) []int64 {
	if in == nil {
		return []int64{}
	}
	return in
}

func dumpHistogram(h *dto.Histogram) dump {
	d := dump{
		SampleCount:      h.SampleCount,
		SampleCountFloat: fptr(h.SampleCountFloat),
		SampleSum:        fptr(h.SampleSum),
		Schema:           h.Schema,
		ZeroThreshold:    fptr(h.ZeroThreshold),
		ZeroCount:        h.ZeroCount,
		ZeroCountFloat:   fptr(h.ZeroCountFloat),
		PositiveSpans:    spans(h.PositiveSpan),
		PositiveDeltas:   ints(h.PositiveDelta),
		PositiveCounts:   floats(h.PositiveCount),
		NegativeSpans:    spans(h.NegativeSpan),
		NegativeDeltas:   ints(h.NegativeDelta),
		NegativeCounts:   floats(h.NegativeCount),
		Buckets:          []bucket{},
		Exemplars:        []exemplar{},
	}
	for _, b := range h.Bucket {
		d.Buckets = append(d.Buckets, bucket{UpperBound: jfloat(b.GetUpperBound()), CumulativeCount: b.GetCumulativeCount(), Exemplar: exemplarOf(b.Exemplar)})
	}
	for _, e := range h.Exemplars {
		d.Exemplars = append(d.Exemplars, *exemplarOf(e))
	}
	if ts := h.CreatedTimestamp; ts != nil {
		ms := ts.AsTime().UnixMilli()
		d.CreatedTimestampMs = &ms
	}
	return d
}

// observe builds the histogram of one case in a fresh registry and gathers it.
func observe(in input) ([]*dto.MetricFamily, *dto.Histogram, error) {
	name := in.Name
	if name == "" {
		name = "nh"
	}
	help := in.Help
	if help == "" {
		help = "client_golang native histogram reference"
	}
	opts := prometheus.HistogramOpts{
		Name:                            name,
		Help:                            help,
		Buckets:                         in.Buckets,
		NativeHistogramBucketFactor:     in.BucketFactor,
		NativeHistogramZeroThreshold:    in.ZeroThreshold,
		NativeHistogramMaxZeroThreshold: in.MaxZeroThreshold,
		NativeHistogramMaxBucketNumber:  in.MaxBuckets,
		NativeHistogramMinResetDuration: time.Duration(in.MinResetDuration * float64(time.Millisecond)),
	}
	reg := prometheus.NewPedanticRegistry()
	var obs prometheus.Observer
	if len(in.Labels) > 0 {
		names := make([]string, 0, len(in.Labels))
		for k := range in.Labels {
			names = append(names, k)
		}
		sort.Strings(names)
		vec := prometheus.NewHistogramVec(opts, names)
		if err := reg.Register(vec); err != nil {
			return nil, nil, err
		}
		o, err := vec.GetMetricWith(prometheus.Labels(in.Labels))
		if err != nil {
			return nil, nil, err
		}
		obs = o
	} else {
		h := prometheus.NewHistogram(opts)
		if err := reg.Register(h); err != nil {
			return nil, nil, err
		}
		obs = h
	}
	time.Sleep(time.Duration(in.SleepMs * float64(time.Millisecond)))
	for _, v := range in.Values {
		obs.Observe(float64(v))
	}
	for _, e := range in.Exemplars {
		eo, ok := obs.(prometheus.ExemplarObserver)
		if !ok {
			return nil, nil, fmt.Errorf("the histogram takes no exemplars")
		}
		eo.ObserveWithExemplar(float64(e.Value), prometheus.Labels(e.Labels))
	}
	mfs, err := reg.Gather()
	if err != nil {
		return nil, nil, err
	}
	if len(mfs) != 1 || len(mfs[0].Metric) != 1 || mfs[0].Metric[0].Histogram == nil {
		return nil, nil, fmt.Errorf("expected one family with one histogram, gathered %d families", len(mfs))
	}
	return mfs, mfs[0].Metric[0].Histogram, nil
}

func encode(w io.Writer, mfs []*dto.MetricFamily, f expfmt.Format) error {
	enc := expfmt.NewEncoder(w, f)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	if c, ok := enc.(expfmt.Closer); ok {
		return c.Close()
	}
	return nil
}

type result struct {
	Histogram dump   `json:"histogram"`
	Protobuf  string `json:"protobuf"`
}

func run(in input) (result, []*dto.MetricFamily, error) {
	mfs, h, err := observe(in)
	if err != nil {
		return result{}, nil, err
	}
	var buf bytes.Buffer
	if err := encode(&buf, mfs, expfmt.NewFormat(expfmt.TypeProtoDelim)); err != nil {
		return result{}, nil, err
	}
	return result{Histogram: dumpHistogram(h), Protobuf: base64.StdEncoding.EncodeToString(buf.Bytes())}, mfs, nil
}

func main() {
	format := flag.String("format", "proto", "proto, text, openmetrics or json")
	flag.Parse()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "nh-observe:", err)
		os.Exit(1)
	}
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	raw = bytes.TrimSpace(raw)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	if len(raw) > 0 && raw[0] == '[' {
		if *format != "json" {
			fail(fmt.Errorf("an array of cases needs -format json"))
		}
		var cases []input
		if err := json.Unmarshal(raw, &cases); err != nil {
			fail(err)
		}
		results := make([]result, 0, len(cases))
		for i, c := range cases {
			r, _, err := run(c)
			if err != nil {
				fail(fmt.Errorf("case %d: %w", i, err))
			}
			results = append(results, r)
		}
		if err := json.NewEncoder(out).Encode(results); err != nil {
			fail(err)
		}
		return
	}
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		fail(err)
	}
	r, mfs, err := run(in)
	if err != nil {
		fail(err)
	}
	switch *format {
	case "json":
		err = json.NewEncoder(out).Encode(r)
	case "proto":
		err = encode(out, mfs, expfmt.NewFormat(expfmt.TypeProtoDelim))
	case "text":
		err = encode(out, mfs, expfmt.NewFormat(expfmt.TypeTextPlain))
	case "openmetrics":
		err = encode(out, mfs, expfmt.NewFormat(expfmt.TypeOpenMetrics))
	default:
		err = fmt.Errorf("unknown -format %q", *format)
	}
	if err != nil {
		fail(err)
	}
}
