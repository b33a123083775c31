// Package grid draws a backfill at a glance: one row per plan job × input × workflow, one
// column per window, one cell per request, as a terminal grid, a Markdown grid and an HTML
// page. A Grid adds up its requests as they stream in (see Adder) and keeps no request, so
// a state of a million requests draws in bounded memory. It reads nothing itself: the
// caller (session) streams the state's rows or a run's results into it as GridCells, and
// the grid knows neither the state nor the service.
package grid
