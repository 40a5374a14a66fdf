"""What both front ends print: columns, cells, details, reports, comparisons, exports."""
