from tapeflow.verification.code_coverage import summarize_coverage_dat


def test_coverage_dat_summary(tmp_path):
    sep, kv = "\x01", "\x02"
    def point(page, count):
        return f"C '{sep}f{kv}top.v{sep}l{kv}3{sep}page{kv}{page}/top{sep}o{kv}x' {count}\n"
    data = tmp_path / "coverage.dat"
    data.write_text("# SystemC::Coverage-3\n" + point("v_line", 1) + point("v_line", 0)
                    + point("v_toggle", 5) + point("v_toggle", 2) + point("v_toggle", 0))
    summary = summarize_coverage_dat(data)
    assert summary["line"] == {"hit": 1, "total": 2, "percent": 50.0}
    assert summary["toggle"] == {"hit": 2, "total": 3, "percent": 66.7}
    assert summary["all"]["total"] == 5


def test_coverage_of_one_design_file_only(tmp_path):
    sep, kv = "\x01", "\x02"
    data = tmp_path / "coverage.dat"
    data.write_text(f"C '{sep}f{kv}/rtl/top.v{sep}page{kv}v_line/top' 1\n"
                    f"C '{sep}f{kv}/hdl/tb.v{sep}page{kv}v_line/tb' 0\n")
    from pathlib import Path
    assert summarize_coverage_dat(data, Path("/rtl/top.v"))["all"] == \
        {"hit": 1, "total": 1, "percent": 100.0}


def test_missing_coverage_dat_is_reported(tmp_path):
    assert "error" in summarize_coverage_dat(tmp_path / "coverage.dat")
