package main

import "github.com/planrun/planrun/executor"

// qpsValue is the --qps flag: a number (a fixed rate; 0 unlimited), auto (an adaptive
// rate) or auto:R (adaptive, never above R).
type qpsValue struct{ spec *executor.RateSpec }

func (v qpsValue) String() string {
	if v.spec == nil {
		return ""
	}
	return v.spec.String()
}

func (v qpsValue) Set(s string) error {
	spec, err := executor.ParseRateSpec(s)
	if err != nil {
		return err
	}
	*v.spec = spec
	return nil
}
