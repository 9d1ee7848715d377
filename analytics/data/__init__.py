"""Reading and validating cohort files: readers, the data contract, the demo cohort."""
