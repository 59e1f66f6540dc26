using Berth.Core.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class ServerUsageConfiguration : IEntityTypeConfiguration<ServerUsage>
{
    public void Configure(EntityTypeBuilder<ServerUsage> builder)
    {
        builder.ToTable("Hosting_ServerUsage");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Id).HasColumnName("ID").ValueGeneratedOnAdd();
        builder.Property(u => u.ServerId).HasColumnName("ServerID").IsRequired();
        builder.Property(u => u.SampledAt).HasColumnName("SampledAt").IsRequired();
        builder.Property(u => u.IntervalSeconds).HasColumnName("IntervalSeconds").IsRequired();
        builder.Property(u => u.CpuPercent).HasColumnName("CpuPercent");
        builder.Property(u => u.MemoryBytes).HasColumnName("MemoryBytes").IsRequired();
        builder.Property(u => u.MemoryLimitBytes).HasColumnName("MemoryLimitBytes").IsRequired();
        builder.Property(u => u.DiskBytes).HasColumnName("DiskBytes").IsRequired();
        builder.HasIndex(u => new { u.ServerId, u.SampledAt }).HasDatabaseName("idx_su_server_time");
    }
}
