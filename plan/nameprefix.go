package plan

// NamePrefix returns how the Names of every request of plan planName begin:
// "<plan>-", the plan name reduced to the Name alphabet and cut as Names cut it. Another
// plan whose name extends planName with '-' shares the prefix: callers that match by it
// tell such plans apart themselves.
func NamePrefix(planName string) string {
	return string(append(appendNamePart(nil, planName), '-'))
}
