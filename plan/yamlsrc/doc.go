// Package yamlsrc reads the YAML source of a plan below the level of plan keys: the
// effective entries of a mapping after merge keys, the conversion of a node tree into the
// JSON-compatible value the schema checks, the size and depth limits that refuse alias
// bombs, and the indentation slips that sharpen a syntax error. It knows nothing of plans;
// the plan package turns what it finds into problems at file:line:col.
package yamlsrc
