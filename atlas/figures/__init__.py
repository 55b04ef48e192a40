"""Pure figure builders: DataFrames in, plotly figures out (no Streamlit)."""
