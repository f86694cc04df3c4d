// Package nn holds the few operations of the face models, on float32
// tensors in height×width×channels order, and reads their weights from
// TensorFlow.js weight manifests. It is written for these small
// convolutional nets, not as a general library.
package nn

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"path"
	"slices"
)

// Param is one named weight: its shape and values, row major.
type Param struct {
	Shape []int
	Data  []float32
}

// Weights are a model's parameters by name.
type Weights map[string]*Param

// Get returns the parameter called name, checking its shape.
func (w Weights) Get(name string, shape ...int) (*Param, error) {
	p, ok := w[name]
	if !ok {
		return nil, fmt.Errorf("weight %s: missing", name)
	}
	if !slices.Equal(p.Shape, shape) {
		return nil, fmt.Errorf("weight %s: shape %v, want %v", name, p.Shape, shape)
	}
	return p, nil
}

type manifestGroup struct {
	Paths   []string `json:"paths"`
	Weights []struct {
		Name         string `json:"name"`
		Shape        []int  `json:"shape"`
		Dtype        string `json:"dtype"`
		Quantization *struct {
			Dtype string  `json:"dtype"`
			Scale float64 `json:"scale"`
			Min   float64 `json:"min"`
		} `json:"quantization"`
	} `json:"weights"`
}

// maxWeights bounds a model's values (and so what loading it allocates).
const maxWeights = 1 << 26

// Load reads the weights of the TensorFlow.js weights manifest at name in
// fsys and the binary shards it lists (paths relative to the manifest).
// Values quantized to uint8 or uint16 are expanded (q*scale + min); int32
// values become float32.
func Load(fsys fs.FS, name string) (Weights, error) {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var groups []manifestGroup
	if err := json.Unmarshal(raw, &groups); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	w := make(Weights)
	total := 0
	for _, g := range groups {
		var data []byte
		for _, p := range g.Paths {
			b, err := fs.ReadFile(fsys, path.Join(path.Dir(name), p))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			data = append(data, b...)
		}
		for _, e := range g.Weights {
			n := 1
			for _, d := range e.Shape {
				if d <= 0 || n > maxWeights/d {
					return nil, fmt.Errorf("%s: weight %s: shape %v out of range", name, e.Name, e.Shape)
				}
				n *= d
			}
			if total += n; total > maxWeights {
				return nil, fmt.Errorf("%s: more than %d values", name, maxWeights)
			}
			size, get, err := decoder(e.Dtype, e.Quantization)
			if err != nil {
				return nil, fmt.Errorf("%s: weight %s: %w", name, e.Name, err)
			}
			if len(data) < n*size {
				return nil, fmt.Errorf("%s: weight %s: shards end early", name, e.Name)
			}
			p := &Param{Shape: slices.Clone(e.Shape), Data: make([]float32, n)}
			for i := range p.Data {
				p.Data[i] = get(data[i*size:])
			}
			data = data[n*size:]
			w[e.Name] = p
		}
		if len(data) != 0 {
			return nil, fmt.Errorf("%s: %d bytes of the shards left over", name, len(data))
		}
	}
	return w, nil
}

// decoder returns how many bytes a value of the given type takes and how
// to read one.
func decoder(dtype string, q *struct {
	Dtype string  `json:"dtype"`
	Scale float64 `json:"scale"`
	Min   float64 `json:"min"`
}) (int, func([]byte) float32, error) {
	if q != nil {
		scale, lo := float32(q.Scale), float32(q.Min)
		switch q.Dtype {
		case "uint8":
			return 1, func(b []byte) float32 { return float32(b[0])*scale + lo }, nil
		case "uint16":
			return 2, func(b []byte) float32 { return float32(binary.LittleEndian.Uint16(b))*scale + lo }, nil
		}
		return 0, nil, fmt.Errorf("quantization %q not supported", q.Dtype)
	}
	switch dtype {
	case "float32":
		return 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }, nil
	case "int32":
		return 4, func(b []byte) float32 { return float32(int32(binary.LittleEndian.Uint32(b))) }, nil
	}
	return 0, nil, fmt.Errorf("type %q not supported", dtype)
}
